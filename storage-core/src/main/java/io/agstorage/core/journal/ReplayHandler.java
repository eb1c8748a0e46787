package io.agstorage.core.journal;

/** Receives, in sequence order, each valid record found when a {@link Journal} opens. */
@FunctionalInterface
public interface ReplayHandler {

    /**
     * @param sequence the record's sequence number, increasing through the journal
     * @param payload the bytes given to {@link Journal#append(byte[])}
     */
    void accept(long sequence, byte[] payload);
}
