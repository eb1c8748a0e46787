package io.agstorage.core.writer;

import io.agstorage.core.internal.SeriesRef;
import io.agstorage.core.internal.Sql;
import io.agstorage.core.writer.SampleStore.PendingBatch;
import java.sql.SQLException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;

/**
 * Writes a caller's samples on the caller's own thread and pooled connection, without the ring: for synchronous
 * writes, whose caller waits for the commit anyway. There is no hand-off to the writer thread and back, samples go
 * into one binary COPY streamed while the caller is still preparing the rest ({@link Write#sendSoFar}), and
 * concurrent callers write in parallel.
 *
 * <p>A transient failure (connection lost, server restarting) is retried with backoff until the caller's deadline.
 * Any failure rolls the whole write back, so nothing is written later behind the caller's back and a caller that
 * retries cannot double a point. Direct writes hold at most {@code permits} connections at once, so they never
 * take the pool's last connection from the ring's writer.
 */
public final class DirectWriter {

    private static final long INITIAL_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final DataSource dataSource;
    private final String quotedSchema;
    private final Semaphore connections;
    private final AtomicLong committedSamples = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();

    /** @param permits how many direct writes may run at once (each holds one connection) */
    public DirectWriter(DataSource dataSource, String quotedSchema, int permits) {
        this.dataSource = dataSource;
        this.quotedSchema = quotedSchema;
        this.connections = new Semaphore(Math.max(1, permits), true);
    }

    /** Starts a write of at most {@code capacity} samples; use it from one thread, and close it. */
    public Write begin(int capacity) {
        return new Write(capacity);
    }

    /** Samples committed by direct writes since start. */
    public long committedSamples() { return committedSamples.get(); }

    /** Transient failures retried since start. */
    public long retries() { return retries.get(); }

    /**
     * One caller's write: add samples, send what is there while preparing more, commit once. Closing it without
     * a commit rolls back whatever was sent.
     */
    public final class Write implements AutoCloseable {

        private final PendingBatch batch;
        private final SampleStore store;
        private boolean holdsPermit;
        private boolean streaming = true;

        private Write(int capacity) {
            this.batch = new PendingBatch(Math.max(1, capacity));
            this.store = new SampleStore(dataSource, quotedSchema, true, capacity);
        }

        public void add(SeriesRef series, long epochMicros, double value) {
            batch.addSample(series, epochMicros, value);
        }

        public int size() {
            return batch.sampleCount;
        }

        /**
         * Sends the samples added so far, so that the database inserts them while the caller prepares the rest.
         * Only a head start: when no connection is free at once, or sending fails, {@link #commit} writes them.
         */
        public void sendSoFar() {
            if (!streaming || !holdsPermit && !(holdsPermit = connections.tryAcquire())) {
                return;
            }
            try {
                store.stream(batch);
            } catch (SQLException | RuntimeException e) {
                // Rolled back; commit() writes everything again, with its retries. No more head starts: during an
                // outage each attempt would wait out the pool's connection timeout.
                streaming = false;
            }
        }

        /**
         * Writes every sample added and commits, retrying transient failures until {@code deadlineNanos}
         * ({@link System#nanoTime()}). On return all are committed; on an exception none is.
         *
         * @throws SQLException the database refused the write, or stayed unreachable until the deadline
         * @throws TimeoutException no connection became free before the deadline
         * @throws InterruptedException interrupted while waiting for a connection or between retries
         */
        public void commit(long deadlineNanos) throws SQLException, TimeoutException, InterruptedException {
            if (!holdsPermit) {
                if (!connections.tryAcquire(deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                    throw new TimeoutException("no connection for a direct write became free: "
                            + connections.getQueueLength() + " writes waiting");
                }
                holdsPermit = true;
            }
            try {
                long backoff = INITIAL_BACKOFF_NANOS;
                while (true) {
                    try {
                        store.write(batch);
                        committedSamples.addAndGet(batch.sampleCount);
                        return;
                    } catch (SQLException e) {
                        if (!Sql.isTransient(e) || System.nanoTime() + backoff - deadlineNanos >= 0) {
                            throw e;
                        }
                        retries.incrementAndGet();
                        LockSupport.parkNanos(backoff);
                        if (Thread.interrupted()) {
                            throw new InterruptedException("interrupted while retrying a direct write");
                        }
                        backoff = Math.min(backoff * 2, MAX_BACKOFF_NANOS);
                    }
                }
            } finally {
                release();
            }
        }

        @Override
        public void close() {
            if (holdsPermit) {
                store.discard();
                release();
            }
        }

        private void release() {
            holdsPermit = false;
            connections.release();
        }
    }
}
