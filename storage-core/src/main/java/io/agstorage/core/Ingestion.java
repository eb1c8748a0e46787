package io.agstorage.core;

import io.agstorage.core.internal.Causes;
import io.agstorage.core.internal.SeriesRef;
import io.agstorage.core.internal.pipeline.IngestPipeline;
import io.agstorage.core.internal.writer.BatchWriter;
import io.agstorage.core.internal.writer.CommitOutcomeUnknownException;
import io.agstorage.core.internal.writer.DirectWriter;
import io.agstorage.core.internal.writer.SampleStore;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write side of a {@link StorageEngine}: one Disruptor ring drained by one writer thread and, off the WASM tier,
 * the direct writer for synchronous batches; publishing into the ring within {@code ingestion.write_timeout_ms},
 * flushing, counting and stopping.
 */
final class Ingestion {

    /** The engine's logger: lifecycle lines keep the name they have always been logged under. */
    private static final Logger log = LoggerFactory.getLogger(StorageEngine.class);

    /** How long closing waits for the writer's write in flight once the write timeout has passed. */
    static final long SHUTDOWN_MS = 500;

    /** How long closing may take beyond the write timeout, in all. */
    static final long CLOSE_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(1_000);

    private final long writeTimeoutMs;
    private final BatchWriter writer;
    private final @Nullable DirectWriter direct;
    private final IngestPipeline pipeline;
    private final LongAdder droppedInvalid = new LongAdder();
    private final LongAdder droppedAtClose = new LongAdder();
    private @Nullable EngineSpool spool;

    Ingestion(StorageConfig config, DataSource dataSource, String quotedSchema, Capabilities capabilities) {
        this.writeTimeoutMs = config.writeTimeoutMs();
        boolean useCopy = EngineStartup.useCopy(config, capabilities);
        this.writer = new BatchWriter(
                new SampleStore(dataSource, quotedSchema, useCopy), config.batchSize(), config.flushIntervalMs());
        // The WASM tier serves every connection from one session: concurrent transactions there would interleave.
        // Elsewhere direct writes leave the writer thread a connection (with max_connections 1 they take turns).
        this.direct = capabilities.wasm()
                ? null
                : new DirectWriter(dataSource, quotedSchema, useCopy, config.maxConnections() - 1);
        // The writer wakes at least every SPOOL_LINGER_MS when idle, to write spooled data that lingered for more.
        long wakeUpMs = Math.min(config.flushIntervalMs(), BatchWriter.SPOOL_LINGER_MS);
        this.pipeline = new IngestPipeline(config.maxBufferSize(), wakeUpMs, writer, runnable -> {
            Thread t = new Thread(runnable, "ag-storage-writer-" + config.schema());
            t.setDaemon(true);
            return t;
        });
        log.info(
                "Ingestion started: buffer {} slots, batch {} samples, flush every {} ms, write method {}",
                pipeline.bufferSize(),
                config.batchSize(),
                config.flushIntervalMs(),
                useCopy ? "binary COPY" : "INSERT ... unnest");
    }

    IngestPipeline pipeline() {
        return pipeline;
    }

    /** The direct writer, or null on the WASM tier (synchronous batches go through the ring there). */
    @Nullable
    DirectWriter direct() {
        return direct;
    }

    /** The hot-path handle of an interned series. */
    MetricSeries handle(SeriesRef ref) {
        return new MetricSeries(ref, pipeline, droppedInvalid);
    }

    /** {@code ingestion.write_timeout_ms} from now, in {@link System#nanoTime()} terms. */
    long deadline() {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(writeTimeoutMs);
    }

    /** Spools what finds the ring full from now on (set once, at start). */
    void attach(EngineSpool spool) {
        this.spool = spool;
        pipeline.setOverflow(spool);
    }

    /**
     * Submits the batch whole or not at all, so that a caller told it failed can send it again without doubling a
     * row: its entries are published into the ring together, waiting for room until the write timeout (or, with an
     * engine spool, spooled at once when the ring has no room); a batch larger than the ring is written on the
     * caller's thread in one transaction by the direct writer, and refused on the WASM tier (which has none). The
     * future completes on commit.
     */
    CompletableFuture<Long> publish(SampleBatch batch) {
        if (!pipeline.fits(batch.size())) {
            return direct != null ? writeDirect(direct, batch) : CompletableFuture.failedFuture(tooLarge(batch.size()));
        }
        EngineSpool s = spool;
        // Cumulative entries need the writer's state lookup, which the spool's records do not carry.
        if (s != null
                && !batch.isEmpty()
                && batch.cumulativeArray() == null
                && !pipeline.hasRoomFor(batch.size() + 1)) {
            CompletableFuture<Long> spooled = s.spool(batch);
            if (spooled != null) {
                return spooled;
            }
        }
        CompletableFuture<Long> committed = new CompletableFuture<>();
        try {
            pipeline.publishAll(
                    batch.seriesArray(),
                    batch.timesArray(),
                    batch.valuesArray(),
                    batch.histogramsArray(),
                    batch.cumulativeArray(),
                    batch.size(),
                    committed,
                    deadline());
        } catch (TimeoutException e) {
            committed.completeExceptionally(bufferFull(e));
        }
        return committed;
    }

    /** A batch larger than the ring, in one transaction: all of it or none (see {@link DirectWriter}). */
    private CompletableFuture<Long> writeDirect(DirectWriter direct, SampleBatch batch) {
        int n = batch.size();
        SeriesRef[] series = batch.seriesArray();
        long[] times = batch.timesArray();
        double[] values = batch.valuesArray();
        HistogramPoint @Nullable [] histograms = batch.histogramsArray();
        try (DirectWriter.Write write = direct.begin(n, deadline())) {
            for (int i = 0; i < n; i++) {
                HistogramPoint h = histograms != null ? histograms[i] : null;
                if (h != null) {
                    write.addHistogram(series[i], times[i], h);
                } else {
                    write.add(series[i], times[i], values[i]);
                }
            }
            write.commit();
            return CompletableFuture.completedFuture((long) n);
        } catch (CommitOutcomeUnknownException e) {
            return CompletableFuture.failedFuture(
                    new StorageException("writing a batch of " + n + " points: " + e.getMessage(), e));
        } catch (SQLException | TimeoutException | RuntimeException e) {
            return CompletableFuture.failedFuture(new StorageException(
                    "writing a batch of " + n + " points failed, none was written: " + Causes.rootMessage(e), e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(
                    new StorageException("interrupted while writing " + n + " points; none was written", e));
        }
    }

    /** Why a batch larger than the ring is refused on the WASM tier. */
    StorageException tooLarge(int n) {
        return new BatchTooLargeException("a batch of " + n + " points does not fit the ingestion buffer ("
                + pipeline.bufferSize() + " slots) and this tier has no direct writer: split it, or raise "
                + "ingestion.max_buffer_size; nothing was written");
    }

    /** Publishes the batch's entries if the ring has room for all of them now; null when it has not. */
    @Nullable
    CompletableFuture<Long> tryPublish(SampleBatch batch) {
        CompletableFuture<Long> committed = new CompletableFuture<>();
        return pipeline.tryPublishAll(
                        batch.seriesArray(),
                        batch.timesArray(),
                        batch.valuesArray(),
                        batch.histogramsArray(),
                        batch.cumulativeArray(),
                        batch.size(),
                        committed)
                ? committed
                : null;
    }

    StorageException bufferFull(TimeoutException e) {
        return new StorageException(
                "ingestion buffer stayed full for ingestion.write_timeout_ms=" + writeTimeoutMs
                        + " ms; is the database reachable?",
                e);
    }

    /** Waits up to the write timeout for {@code committed}, which covers {@code count} points. */
    void awaitCommit(CompletableFuture<Long> committed, int count) {
        try {
            committed.get(writeTimeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new StorageException(
                    count + " points not confirmed committed within ingestion.write_timeout_ms=" + writeTimeoutMs
                            + " ms; they stay buffered and are written when the database is reachable",
                    e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof StorageException se
                    ? se
                    : new StorageException(
                            "writing " + count + " points failed: " + Causes.rootMessage(e), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while waiting for the commit", e);
        }
    }

    /** Writes everything buffered so far and waits for the commit; returns how many were committed meanwhile. */
    long flush() {
        long before = writer.committedTotal();
        try {
            long after = flushAsync().get(writeTimeoutMs, TimeUnit.MILLISECONDS);
            return after - before;
        } catch (TimeoutException e) {
            throw new StorageException(
                    "flush not confirmed within ingestion.write_timeout_ms=" + writeTimeoutMs
                            + " ms; the data stays buffered and is written when the database is reachable",
                    e);
        } catch (ExecutionException e) {
            throw new StorageException("flush failed: " + Causes.rootMessage(e), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while flushing", e);
        }
    }

    /** A future completing once everything buffered before this call is committed (or failing if it was dropped). */
    CompletableFuture<Long> flushAsync() {
        try {
            return pipeline.publishBarrier(deadline());
        } catch (TimeoutException e) {
            return CompletableFuture.failedFuture(new StorageException("ingestion buffer full: " + e.getMessage(), e));
        }
    }

    IngestionStats stats() {
        long directCommitted = direct != null ? direct.committedSamples() : 0;
        long directRetries = direct != null ? direct.retries() : 0;
        return new IngestionStats(
                pipeline.accepted() + directCommitted,
                writer.committedTotal() + directCommitted,
                pipeline.droppedFull(),
                droppedInvalid.sum(),
                writer.droppedSamples() + droppedAtClose.sum(),
                writer.retries() + directRetries,
                pipeline.queueDepth(),
                pipeline.bufferSize(),
                writer.lastBatchNanos() / 1e6,
                writer.deadLettered(),
                pipeline.droppedClosed());
    }

    /**
     * Refuses new points, flushes what is buffered, waiting at most the write timeout in all, then stops the writer
     * thread, waiting at most {@link #SHUTDOWN_MS} more for a write in flight.
     */
    void stop() {
        pipeline.close();
        long deadline = deadline();
        try {
            pipeline.publishBarrier(deadline).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            log.error("Closing with data unwritten: {}", Causes.rootMessage(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writer.stopRetryingAt(System.nanoTime());
        droppedAtClose.add(pipeline.shutdown(SHUTDOWN_MS, writer::lastSequence));
    }

    /** Logs the counters of a stopped engine. */
    void logClosed() {
        IngestionStats stats = stats();
        log.info(
                "StorageEngine closed: {} committed, {} dropped (full {}, invalid {}, failed {})",
                stats.committed(),
                stats.droppedFull() + stats.droppedInvalid() + stats.droppedFailed(),
                stats.droppedFull(),
                stats.droppedInvalid(),
                stats.droppedFailed());
    }
}
