package io.agstorage.core.journal;

/**
 * Thrown by a {@link ReplayHandler} for a record whose checksum is valid but which it cannot decode (written by
 * another version, or by a bug): the journal then quarantines the record (copies it to
 * {@code quarantine-<sequence>.rec} beside the segments, logs an error naming the file, the sequence and this
 * exception's message, reports it in {@link JournalRecovery#quarantined()}) and goes on replaying the records after
 * it, instead of failing to open.
 */
public final class UndecodableRecordException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** @param reason why the record cannot be decoded, e.g. {@code unknown record kind 99} */
    public UndecodableRecordException(String reason, Throwable cause) {
        super(reason, cause);
    }

    /** @param reason why the record cannot be decoded */
    public UndecodableRecordException(String reason) {
        super(reason);
    }
}
