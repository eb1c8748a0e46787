package io.agstorage.core.internal.writer;

import io.agstorage.core.ErrorPolicy;
import io.agstorage.core.HistogramPoint;
import io.agstorage.core.internal.SeriesRef;
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
 * into one statement streamed while the caller is still preparing the rest ({@link Write#sendSoFar}), and
 * concurrent callers write in parallel.
 *
 * <p>A failure that is not the data's ({@link ErrorPolicy}: connection lost, server restarting or read-only, statement
 * cancelled, privilege revoked) is retried with backoff until the caller's deadline,
 * which also bounds every network wait (the connection's network timeout); only waiting for a connection from the
 * pool may add up to its connection timeout. Any failure rolls the whole write back, so nothing is written later
 * behind the caller's back and a caller that retries cannot double a point; the one exception is a connection lost
 * after the commit was sent ({@link CommitOutcomeUnknownException}), which is never retried and says so. Direct
 * writes hold at most {@code permits} connections at once, so that the ring's writer finds one.
 */
public final class DirectWriter {

    private final DataSource dataSource;
    private final String quotedSchema;
    private final boolean useCopy;
    private final Semaphore connections;
    private final AtomicLong committedSamples = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();

    /**
     * @param useCopy binary COPY when true, multi-row INSERT otherwise
     * @param permits how many direct writes may run at once (each holds one connection); at least 1
     */
    public DirectWriter(DataSource dataSource, String quotedSchema, boolean useCopy, int permits) {
        this.dataSource = dataSource;
        this.quotedSchema = quotedSchema;
        this.useCopy = useCopy;
        this.connections = new Semaphore(Math.max(1, permits), true);
    }

    /**
     * Starts a write of at most {@code capacity} samples that must be committed by {@code deadlineNanos}
     * ({@link System#nanoTime()}); use it from one thread, and close it.
     */
    public Write begin(int capacity, long deadlineNanos) {
        return new Write(capacity, deadlineNanos);
    }

    /** Samples committed by direct writes since start. */
    public long committedSamples() {
        return committedSamples.get();
    }

    /** Transient failures retried since start. */
    public long retries() {
        return retries.get();
    }

    /**
     * One caller's write: add samples, send what is there while preparing more, commit once. Closing it without
     * a commit rolls back whatever was sent.
     */
    public final class Write implements AutoCloseable {

        private final PendingBatch batch;
        private final SampleStore store;
        private final long deadlineNanos;
        private boolean holdsPermit;
        private boolean streaming = true;

        private Write(int capacity, long deadlineNanos) {
            this.batch = new PendingBatch(Math.max(1, capacity));
            this.store = new SampleStore(dataSource, quotedSchema, useCopy, capacity, false, false);
            this.deadlineNanos = deadlineNanos;
        }

        public void add(SeriesRef series, long epochMicros, double value) {
            batch.addSample(series, epochMicros, value);
        }

        /** A histogram, written with the samples in the same transaction (never streamed ahead). */
        public void addHistogram(SeriesRef series, long epochMicros, HistogramPoint point) {
            batch.addHistogram(series, epochMicros, point);
        }

        /** Samples added so far. */
        public int size() {
            return batch.sampleCount;
        }

        /**
         * Sends the samples added so far, so that the database inserts them while the caller prepares the rest.
         * Only a head start: skipped when no permit is free at once, and given up for this write after a failure
         * or once a series new to the database turns up; {@link #commit} then writes what was not sent.
         */
        public void sendSoFar() {
            if (!streaming || !holdsPermit && !(holdsPermit = connections.tryAcquire())) {
                return;
            }
            try {
                streaming = store.stream(batch, deadlineNanos);
            } catch (SQLException | RuntimeException e) {
                // Rolled back; commit() writes everything again, with its retries. No more head starts: during an
                // outage each attempt would wait for the pool.
                streaming = false;
            }
        }

        /**
         * Writes every sample added and commits, retrying transient failures until the deadline. On return all are
         * committed; on an exception none is, unless it is a {@link CommitOutcomeUnknownException}.
         *
         * @throws SQLException the database refused the write, or stayed unreachable until the deadline
         * @throws TimeoutException no permit for a connection became free before the deadline
         * @throws InterruptedException interrupted while waiting for a permit or between retries
         */
        public void commit() throws SQLException, TimeoutException, InterruptedException {
            if (!holdsPermit) {
                if (!connections.tryAcquire(deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                    throw new TimeoutException("no connection for a direct write became free ("
                            + connections.getQueueLength() + " writes waiting)");
                }
                holdsPermit = true;
            }
            long backoff = ErrorPolicy.INITIAL_BACKOFF_NANOS;
            while (true) {
                try {
                    store.write(batch, deadlineNanos);
                    committedSamples.addAndGet(batch.sampleCount + batch.histogramCount);
                    return;
                } catch (CommitOutcomeUnknownException e) {
                    throw e;
                } catch (SQLException e) {
                    // ErrorPolicy: a refusal of the data is the caller's to see (nothing was written); anything else
                    // is retried until the caller's deadline
                    if (ErrorPolicy.isDataError(e) || System.nanoTime() + backoff - deadlineNanos >= 0) {
                        throw e;
                    }
                    retries.incrementAndGet();
                    LockSupport.parkNanos(backoff);
                    if (Thread.interrupted()) {
                        throw new InterruptedException("interrupted while retrying a direct write");
                    }
                    backoff = ErrorPolicy.nextBackoffNanos(backoff);
                }
            }
        }

        /** Rolls back anything sent and not committed, and frees the permit. */
        @Override
        public void close() {
            store.discard();
            if (holdsPermit) {
                holdsPermit = false;
                connections.release();
            }
        }
    }
}
