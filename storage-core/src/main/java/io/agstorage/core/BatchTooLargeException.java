package io.agstorage.core;

/**
 * A batch submitted with {@link StorageEngine#submit} or {@link StorageEngine#insertMetricsBatch} cannot be written
 * all or nothing, so none of it was written: it is larger than the ingestion buffer ({@code ingestion.max_buffer_size})
 * on a tier without a direct writer (the WASM tier). Sending it again will fail again: split it or raise the buffer.
 */
public final class BatchTooLargeException extends StorageException {
    public BatchTooLargeException(String message) {
        super(message);
    }
}
