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
 *     order); each is logged at error level and kept in {@code dead-letter.log} in the journal directory and in the
 *     {@code dead_letters} table (door {@code execution})
 * @param lastBatchMillis how long the last database batch took
 * @param journalSyncs {@code fsync}s of the journal completed since start
 * @param unsynced records written to the journal in this run and not yet forced to the device by it: with
 *     {@code batch} at most about one sync interval's worth, with {@code always} only those whose call has not
 *     returned yet, with {@code none} every record (the OS writes them back on its own schedule)
 */
public record ExecutionStats(
        long journaled,
        long replayed,
        long committed,
        long pending,
        long retries,
        long deadLettered,
        double lastBatchMillis,
        long journalSyncs,
        long unsynced) {}
