package io.agstorage.core.journal;

/** The journal could not write, force or read its files: the record it concerns is not durable. */
public final class JournalException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public JournalException(String message, Throwable cause) {
        super(message, cause);
    }

    public JournalException(String message) {
        super(message);
    }
}
