package io.agstorage.core.internal.writer;

import com.lmax.disruptor.EventHandler;
import io.agstorage.core.Sql;
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
 * is replayed from where the first one stopped.
 *
 * <p>A transient database failure (connection lost, server restarting) is retried with capped exponential
 * backoff, holding the batch; meanwhile the ring fills and producers see a full buffer rather than silent
 * loss; a connection lost after the commit was sent is retried too (buffered data is written at least once; a batch
 * of spooled records moves its spool positions first, which finds an earlier attempt that did commit: spooled data is
 * written exactly once). Any
 * other failure drops the batch, counts it and logs it at error level; barriers waiting on it fail.
 */
public final class BatchWriter implements EventHandler<SampleEvent> {

    private static final Logger log = LoggerFactory.getLogger(BatchWriter.class);
    private static final long INITIAL_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(5);

    /** How long pending data that only spools wait for may stay pending for more before it is written. */
    public static final long SPOOL_LINGER_MS = 10;

    private final SampleStore store;
    private final PendingBatch batch;
    private final SpoolProgress spools = new SpoolProgress();
    private final long flushIntervalNanos;
    private final List<CompletableFuture<Long>> barriers = new ArrayList<>();
    private final AtomicLong committedSamples = new AtomicLong();
    private final AtomicLong committedHistograms = new AtomicLong();
    private final AtomicLong committedBatches = new AtomicLong();
    private final AtomicLong droppedSamples = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong lastBatchNanos = new AtomicLong();
    private volatile long giveUpRetryingAtNanos = Long.MAX_VALUE;
    private long oldestPendingNanos;
    private @Nullable Exception failureSinceBarrier;
    private final ThrottledLog retryLog = new ThrottledLog(log, Duration.ofSeconds(10));

    public BatchWriter(SampleStore store, int batchSize, long flushIntervalMs) {
        this.store = store;
        this.batch = new PendingBatch(batchSize);
        this.flushIntervalNanos = TimeUnit.MILLISECONDS.toNanos(flushIntervalMs);
    }

    @Override
    public void onEvent(SampleEvent event, long sequence, boolean endOfBatch) {
        switch (event.kind()) {
            case SampleEvent.SAMPLE -> {
                markPending();
                if (event.cumulative() == Cumulative.NONE) {
                    batch.addSample(event.series(), event.epochMicros(), event.value());
                } else {
                    batch.addCumulative(event.series(), event.epochMicros(), event.cumulative(), event.value(), null);
                }
                spools.entryAdded();
                if (batch.isFull()) {
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
        long backoff = INITIAL_BACKOFF_NANOS;
        while (true) {
            long start = System.nanoTime();
            try {
                // False when an earlier attempt whose commit answer was lost did commit (spooled batches know: their
                // spool position moves in the same transaction); either way the batch is in.
                store.write(batch, spools.positions(), SampleStore.NO_DEADLINE);
                lastBatchNanos.set(System.nanoTime() - start);
                committedSamples.addAndGet(batch.sampleCount + batch.cumulativeSampleCount());
                committedHistograms.addAndGet(
                        batch.histogramCount + batch.cumulativeCount - batch.cumulativeSampleCount());
                committedBatches.incrementAndGet();
                spools.committed(committedSamples.get() + committedHistograms.get());
                batch.clear();
                return;
            } catch (SQLException | RuntimeException e) {
                boolean retry = e instanceof SQLException sql
                        && Sql.isTransient(sql)
                        && System.nanoTime() - giveUpRetryingAtNanos < 0;
                if (retry) {
                    retries.incrementAndGet();
                    retryLog.warn(
                            "Database unavailable, holding {} samples and retrying (backoff {} ms): {}",
                            batch.size(),
                            TimeUnit.NANOSECONDS.toMillis(backoff),
                            e.toString());
                    LockSupport.parkNanos(backoff);
                    backoff = Math.min(backoff * 2, MAX_BACKOFF_NANOS);
                } else {
                    droppedSamples.addAndGet(batch.size());
                    log.error("Dropped {} samples: the database refused the batch", batch.size(), e);
                    failureSinceBarrier = e;
                    spools.failed(e);
                    batch.clear();
                    return;
                }
            }
        }
    }

    private void completeBarriers() {
        if (barriers.isEmpty()) {
            failureSinceBarrier = null;
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

    public long retries() {
        return retries.get();
    }

    public long lastBatchNanos() {
        return lastBatchNanos.get();
    }
}
