package io.agstorage.core.journal;

/** Receives, in sequence order, each valid record found when a {@link Journal} opens. */
@FunctionalInterface
public interface ReplayHandler {

    /**
     * @param sequence the record's sequence number, increasing through the journal
     * @param payload the bytes given to {@link Journal#append(byte[])}
     * @throws UndecodableRecordException when the payload cannot be decoded: the journal quarantines the record and
     *     replays the rest (any other exception fails the open)
     */
    void accept(long sequence, byte[] payload);
}
