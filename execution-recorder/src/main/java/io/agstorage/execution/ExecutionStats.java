package io.agstorage.execution;

/**
 * The execution store's counters since it started.
 *
 * @param journaled records acknowledged to callers (written to the journal), replayed ones included
 * @param replayed records found in the journal at start and re-sent to the database
 * @param committed records the database has committed
 * @param pending journaled and not yet committed
 * @param retries failed database batches that were retried
 * @param deadLettered records the database refused for good (e.g. a client order id already used by another
 *     order); each is logged at error level and kept in {@code dead-letter.log} in the journal directory
 * @param lastBatchMillis how long the last database batch took
 */
public record ExecutionStats(long journaled, long replayed, long committed, long pending, long retries, long deadLettered,
        double lastBatchMillis) {}
