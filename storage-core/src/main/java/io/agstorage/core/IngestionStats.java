package io.agstorage.core;

/**
 * A snapshot of the ingestion pipeline's counters since the engine started.
 *
 * @param accepted samples and histograms accepted into the buffer, plus those written directly and committed
 * @param committed samples and histograms committed to the database, through the buffer or written directly
 *     ({@link StorageEngine#insertMetricsBatch})
 * @param droppedFull refused because the buffer was full
 * @param droppedInvalid refused on the no-throw path ({@link MetricSeries#record}) because the value was not finite
 * @param droppedFailed accepted, then refused by the database or still failing when the engine closed
 * @param retries writes retried after a transient database failure
 * @param queueDepth entries waiting in the buffer now
 * @param bufferSize the buffer's capacity
 * @param lastBatchMillis how long the last committed batch took
 * @param deadLettered rows the database refused for good (SQLSTATE class 22 or 23), isolated from their batch (whose
 *     other rows were written) and kept in the {@code dead_letters} table
 * @param droppedClosed refused because the engine was closed ({@link MetricSeries#record} after {@code close()})
 */
public record IngestionStats(
        long accepted,
        long committed,
        long droppedFull,
        long droppedInvalid,
        long droppedFailed,
        long retries,
        long queueDepth,
        int bufferSize,
        double lastBatchMillis,
        long deadLettered,
        long droppedClosed) {}
