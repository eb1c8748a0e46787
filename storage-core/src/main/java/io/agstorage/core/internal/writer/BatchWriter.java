package io.agstorage.core.internal.writer;

import com.lmax.disruptor.EventHandler;
import io.agstorage.core.ErrorPolicy;
import io.agstorage.core.internal.Cumulative;
import io.agstorage.core.internal.pipeline.SampleEvent;
import io.agstorage.core.logging.ThrottledLog;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ring's single consumer. Collects samples and histograms into one reusable batch and writes it when
 * the batch reaches {@code ingestion.batch_size}, when the ring runs dry (the Disruptor's end of batch),
 * when a barrier asks, and when {@code ingestion.flush_interval_ms} passes with data pending. When everything
 * pending came from spools (their clients already have their answers), the ring running dry does not write it until
 * it has waited {@link #SPOOL_LINGER_MS} for more, so spooled data goes in large statements; {@link SpoolProgress}
 * keeps that account, and how far each spool got, written in the same transaction, so a record split over two commits
 * is replayed from where the first one stopped. For the same reason such a batch may grow to
 * {@value #SPOOLED_BATCH_FACTOR} times {@code ingestion.batch_size} (at most {@value #MAX_SPOOLED_BATCH} entries)
 * before it is written: no caller waits on its commit, and a batch of cumulative points costs a state row per series
 * ({@link CumulativeDeltas}) however many points each series has in it, so a fleet of clients behind a full ring is
 * written in fewer, larger transactions.
 *
 * <p>Failures follow the {@link ErrorPolicy}. One that is not the data's (connection lost, server restarting or
 * read-only, statement cancelled, privilege revoked, ...) is retried with capped exponential backoff for as long as
 * the engine runs, holding the batch; meanwhile the ring fills and producers see a full buffer rather than silent
 * loss. Every batch has an id, and its marker is written in its transaction ({@link BatchMarkers}): an attempt after
 * a connection lost around the COMMIT finds the marker when the earlier one committed and writes nothing, so every
 * point is written exactly once. A batch the database refuses for its data (SQLSTATE class 22 or 23) is written
 * without the offending rows, which go to {@code dead_letters} ({@link RowIsolation}). Only when the engine closes
 * while a batch is still failing is it dropped, counted and logged at error level. A barrier fails when a batch since
 * the previous barrier lost rows (dropped or dead-lettered).
 */
public final class BatchWriter implements EventHandler<SampleEvent> {

    private static final Logger log = LoggerFactory.getLogger(BatchWriter.class);

    /** How long pending data that only spools wait for may stay pending for more before it is written. */
    public static final long SPOOL_LINGER_MS = 10;

    /**
     * How many times {@code ingestion.batch_size} a batch holding only spooled data may grow to (at most
     * {@link #MAX_SPOOLED_BATCH} entries, or {@code batch_size} when that is larger).
     */
    static final int SPOOLED_BATCH_FACTOR = 8;

    /**
     * The most entries a batch of spooled data grows to: a few seconds of the database's work at most, so that one
     * statement stays far from the socket timeout and a retried batch holds a few megabytes.
     */
    static final int MAX_SPOOLED_BATCH = 100_000;

    private final SampleStore store;
    private final PendingBatch batch;
    private final int batchSize;
    private final int spooledBatchSize;
    private final SpoolProgress spools = new SpoolProgress();
    private final long flushIntervalNanos;
    private final List<CompletableFuture<Long>> barriers = new ArrayList<>();
    private final AtomicLong committedSamples = new AtomicLong();
    private final AtomicLong committedHistograms = new AtomicLong();
    private final AtomicLong committedBatches = new AtomicLong();
    private final AtomicLong droppedSamples = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private volatile @Nullable Thread writerThread;
    private long lastBatchId;
    private volatile long lastSequence = -1;
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong lastBatchNanos = new AtomicLong();
    private volatile long giveUpRetryingAtNanos = Long.MAX_VALUE;
    private long oldestPendingNanos;
    private @Nullable Exception failureSinceBarrier;
    private final ThrottledLog retryLog = new ThrottledLog(log, Duration.ofSeconds(10));

    public BatchWriter(SampleStore store, int batchSize, long flushIntervalMs) {
        this.store = store;
        this.batch = new PendingBatch(batchSize);
        this.batchSize = batchSize;
        this.spooledBatchSize =
                (int) Math.max(batchSize, Math.min(MAX_SPOOLED_BATCH, (long) batchSize * SPOOLED_BATCH_FACTOR));
        this.flushIntervalNanos = TimeUnit.MILLISECONDS.toNanos(flushIntervalMs);
    }

    @Override
    public void onEvent(SampleEvent event, long sequence, boolean endOfBatch) {
        lastSequence = sequence;
        switch (event.kind()) {
            case SampleEvent.SAMPLE -> {
                markPending();
                if (event.cumulative() == Cumulative.NONE) {
                    batch.addSample(event.series(), event.epochMicros(), event.value());
                } else {
                    batch.addCumulative(event.series(), event.epochMicros(), event.cumulative(), event.value(), null);
                }
                spools.entryAdded();
                if (batch.isFull(spools.onlySpooled() ? spooledBatchSize : batchSize)) {
                    flush();
                }
            }
            case SampleEvent.HISTOGRAM -> {
                markPending();
                if (event.cumulative() == Cumulative.NONE) {
                    batch.addHistogram(event.series(), event.epochMicros(), event.histogram());
                } else {
                    batch.addCumulative(event.series(), event.epochMicros(), event.cumulative(), 0, event.histogram());
                }
                spools.entryAdded();
            }
            case SampleEvent.SPOOL_MARK -> spools.recordStarts(event);
            case SampleEvent.BARRIER -> {
                barriers.add(event.barrier());
                flush();
                completeBarriers();
            }
            default -> throw new IllegalStateException("unknown event kind " + event.kind());
        }
        event.clear();
        if (endOfBatch) {
            if (!spools.mayLinger(System.nanoTime() - oldestPendingNanos)) {
                flush();
            }
            completeBarriers();
        }
    }

    @Override
    public void onTimeout(long sequence) {
        long pendingFor = System.nanoTime() - oldestPendingNanos;
        if (!batch.isEmpty() && (pendingFor >= flushIntervalNanos || spools.lingered(pendingFor))) {
            flush();
        }
    }

    @Override
    public void onShutdown() {
        flush();
        completeBarriers();
    }

    /** After this, a failing batch is dropped instead of retried (the engine is closing and its wait is over). */
    public void stopRetryingAt(long nanoTime) {
        giveUpRetryingAtNanos = nanoTime;
        Thread t = writerThread;
        if (t != null) {
            LockSupport.unpark(t); // cut a backoff pause short
        }
    }

    private void markPending() {
        if (batch.isEmpty()) {
            oldestPendingNanos = System.nanoTime();
        }
    }

    private void flush() {
        if (batch.isEmpty()) {
            return;
        }
        writerThread = Thread.currentThread();
        long batchId = ++lastBatchId;
        long backoff = ErrorPolicy.INITIAL_BACKOFF_NANOS;
        while (true) {
            long start = System.nanoTime();
            Exception failure;
            try {
                // False when an earlier attempt whose commit answer was lost did commit (its marker, and a spooled
                // batch's spool position, moved in the same transaction); either way the batch is in.
                store.write(batch, spools.positions(), batchId, SampleStore.NO_DEADLINE);
                committed(start, 0, 0);
                return;
            } catch (SQLException | RuntimeException e) {
                failure = e;
            }
            if (ErrorPolicy.isDataError(failure)) {
                try {
                    RowIsolation.Outcome outcome = store.isolate(batch, spools.positions(), batchId);
                    committed(start, outcome.deadSamples(), outcome.deadHistograms());
                    if (outcome.dead() > 0) {
                        deadLettered.addAndGet(outcome.dead());
                        // no cause: the flush reports this message, not the server's one about the first row
                        failureSinceBarrier = new SQLException(
                                outcome.dead() + " rows refused by the database were dead-lettered (table "
                                        + "dead_letters), the rest of their batch written: " + failure.getMessage(),
                                ErrorPolicy.sqlState(failure));
                    }
                    return;
                } catch (SQLException | RuntimeException e) {
                    failure = e;
                }
            }
            long giveUpAt = giveUpRetryingAtNanos;
            if (giveUpAt != Long.MAX_VALUE && System.nanoTime() - giveUpAt >= 0) {
                droppedSamples.addAndGet(batch.size());
                log.error(
                        "Dropped {} samples: the engine closed while the database refused them", batch.size(), failure);
                failureSinceBarrier = failure;
                spools.failed(failure);
                batch.clear();
                return;
            }
            retries.incrementAndGet();
            retryLog.warn(
                    "Database refused a batch (not for its data), holding {} samples and retrying (backoff {} ms): {}",
                    batch.size(),
                    TimeUnit.NANOSECONDS.toMillis(backoff),
                    failure.toString());
            LockSupport.parkNanos(
                    this, giveUpAt == Long.MAX_VALUE ? backoff : Math.min(backoff, giveUpAt - System.nanoTime()));
            backoff = ErrorPolicy.nextBackoffNanos(backoff);
        }
    }

    /** The pending batch is in, without {@code deadSamples} and {@code deadHistograms} dead-lettered rows. */
    private void committed(long startNanos, int deadSamples, int deadHistograms) {
        lastBatchNanos.set(System.nanoTime() - startNanos);
        committedSamples.addAndGet(batch.sampleCount + batch.cumulativeSampleCount() - deadSamples);
        committedHistograms.addAndGet(
                batch.histogramCount + batch.cumulativeCount - batch.cumulativeSampleCount() - deadHistograms);
        committedBatches.incrementAndGet();
        spools.committed(committedSamples.get() + committedHistograms.get());
        batch.clear();
    }

    /**
     * Completes the barriers waiting; they fail when a batch since the last barrier lost rows (dropped or
     * dead-lettered), even one written before they arrived, since their callers' data may have been in it.
     */
    private void completeBarriers() {
        if (barriers.isEmpty()) {
            return;
        }
        Exception failure = failureSinceBarrier;
        long committed = committedSamples.get() + committedHistograms.get();
        for (CompletableFuture<Long> barrier : barriers) {
            if (failure != null) {
                barrier.completeExceptionally(failure);
            } else {
                barrier.complete(committed);
            }
        }
        barriers.clear();
        failureSinceBarrier = null;
    }

    /** Samples committed since start. */
    public long committedSamples() {
        return committedSamples.get();
    }
    /** Histogram snapshots committed since start. */
    public long committedHistograms() {
        return committedHistograms.get();
    }
    /** Samples plus histograms committed since start; the value barriers complete with. */
    public long committedTotal() {
        return committedSamples.get() + committedHistograms.get();
    }

    public long committedBatches() {
        return committedBatches.get();
    }
    /** Samples and histograms the database refused, or that were still failing when the engine closed. */
    public long droppedSamples() {
        return droppedSamples.get();
    }

    /** The last ring sequence this writer took (its entries are written, pending, or counted as dropped). */
    public long lastSequence() {
        return lastSequence;
    }

    /** Rows the database refused for their data, written to {@code dead_letters} instead. */
    public long deadLettered() {
        return deadLettered.get();
    }

    public long retries() {
        return retries.get();
    }

    public long lastBatchNanos() {
        return lastBatchNanos.get();
    }
}
