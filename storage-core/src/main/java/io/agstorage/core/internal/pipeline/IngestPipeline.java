package io.agstorage.core.internal.pipeline;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.TimeoutBlockingWaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import io.agstorage.core.HistogramPoint;
import io.agstorage.core.internal.Cumulative;
import io.agstorage.core.internal.SeriesRef;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One multi-producer Disruptor ring of preallocated {@link SampleEvent}s, drained by one handler thread.
 * Producers never block on the database: {@code try*} methods fail fast when the ring is full; the
 * {@code publish*} methods wait for room up to a deadline.
 */
public final class IngestPipeline {

    private static final Logger log = LoggerFactory.getLogger(IngestPipeline.class);
    private static final long PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

    private final Disruptor<SampleEvent> disruptor;
    private final RingBuffer<SampleEvent> ring;
    private final LongAdder accepted = new LongAdder();
    private final LongAdder droppedFull = new LongAdder();
    private final LongAdder droppedClosed = new LongAdder();
    private volatile boolean closed;
    private volatile @Nullable Overflow overflow;

    /** Where a sample goes when the ring is full, instead of being dropped: the engine's spool. */
    @FunctionalInterface
    public interface Overflow {
        /** Takes a sample the ring had no room for; false when it cannot (the sample is then dropped and counted). */
        boolean sample(SeriesRef series, long epochMicros, double value);
    }

    /**
     * @param requestedSize ring capacity, rounded up to a power of two
     * @param timeoutMs how long the handler waits for events before its {@code onTimeout} runs
     */
    public IngestPipeline(int requestedSize, long timeoutMs, EventHandler<SampleEvent> handler, ThreadFactory threads) {
        int size = Integer.highestOneBit(Math.max(requestedSize, 2) - 1) << 1;
        this.disruptor = new Disruptor<>(
                SampleEvent::new,
                size,
                threads,
                ProducerType.MULTI,
                new TimeoutBlockingWaitStrategy(timeoutMs, TimeUnit.MILLISECONDS));
        this.disruptor.handleEventsWith(handler);
        this.disruptor.setDefaultExceptionHandler(new LoggingExceptionHandler());
        this.ring = disruptor.start();
    }

    /** Sets where samples go that find the ring full (null: they are dropped and counted). */
    public void setOverflow(@Nullable Overflow overflow) {
        this.overflow = overflow;
    }

    /** Publishes one sample if there is room, else hands it to the {@link Overflow} if one is set; never blocks. */
    public boolean tryPublishSample(SeriesRef series, long epochMicros, double value) {
        if (closed) {
            droppedClosed.increment();
            return false;
        }
        long seq;
        try {
            seq = ring.tryNext();
        } catch (InsufficientCapacityException full) {
            Overflow o = overflow;
            if (o != null && o.sample(series, epochMicros, value)) {
                return true;
            }
            droppedFull.increment();
            return false;
        }
        try {
            ring.get(seq).setSample(series, epochMicros, value, Cumulative.NONE);
        } finally {
            ring.publish(seq);
        }
        accepted.increment();
        return true;
    }

    /**
     * Publishes {@code n} entries (a histogram where {@code histograms[i]} is set, else a sample) and, when
     * {@code barrier} is set, a barrier after them, all or nothing, if the ring has room now.
     */
    public boolean tryPublishAll(
            SeriesRef[] series,
            long[] times,
            double[] values,
            @Nullable HistogramPoint[] histograms,
            long @Nullable [] cumulative,
            int n,
            @Nullable CompletableFuture<Long> barrier) {
        int slots = n + (barrier != null ? 1 : 0);
        if (slots == 0) {
            return true;
        }
        if (slots > ring.getBufferSize()) {
            droppedFull.add(n);
            return false;
        }
        long hi;
        try {
            hi = ring.tryNext(slots);
        } catch (InsufficientCapacityException full) {
            droppedFull.add(n);
            return false;
        }
        fill(hi - slots + 1, series, times, values, histograms, cumulative, 0, n, barrier);
        return true;
    }

    /**
     * Publishes one spooled record, its {@link SampleEvent#SPOOL_MARK} then its {@code n} entries (those from entry
     * {@code firstEntry} of the record on: a replay may resume a record), all together, waiting for room until
     * {@code deadlineNanos}; {@code committed} completes once all of them are committed.
     *
     * @throws TimeoutException when the ring stayed full, or the record is larger than the ring
     */
    public void publishSpooled(
            SeriesRef[] series,
            long[] times,
            double[] values,
            @Nullable HistogramPoint[] histograms,
            long @Nullable [] cumulative,
            int n,
            UUID spool,
            long sequence,
            int firstEntry,
            CompletableFuture<Long> committed,
            long deadlineNanos)
            throws TimeoutException {
        if (n + 1 > ring.getBufferSize()) {
            throw new TimeoutException("a spooled record of " + n + " entries does not fit the ingestion buffer ("
                    + ring.getBufferSize() + " slots)");
        }
        long hi = claim(n + 1, deadlineNanos);
        fillSpooled(hi - n, series, times, values, histograms, cumulative, n, spool, sequence, firstEntry, committed);
    }

    private void fillSpooled(
            long lo,
            SeriesRef[] series,
            long[] times,
            double[] values,
            @Nullable HistogramPoint[] histograms,
            long @Nullable [] cumulative,
            int n,
            UUID spool,
            long sequence,
            int firstEntry,
            CompletableFuture<Long> committed) {
        try {
            ring.get(lo).setSpoolMark(spool, sequence, firstEntry, n, committed);
            setEntries(lo + 1, series, times, values, histograms, cumulative, 0, n);
        } finally {
            ring.publish(lo, lo + n);
        }
        accepted.add(n);
    }

    /**
     * Publishes {@code n} entries and then {@code barrier} (when set), all or nothing: the slots for all of them are
     * claimed at once, waiting for room until {@code deadlineNanos} ({@link System#nanoTime()}). Never a part of them:
     * a caller told "not published" may send everything again without doubling a row.
     *
     * @throws TimeoutException when the ring had no room for all of them before the deadline; nothing was published
     * @throws IllegalArgumentException when they need more slots than the ring holds ({@link #fits}); nothing was
     *     published
     */
    public void publishAll(
            SeriesRef[] series,
            long[] times,
            double[] values,
            @Nullable HistogramPoint[] histograms,
            long @Nullable [] cumulative,
            int n,
            @Nullable CompletableFuture<Long> barrier,
            long deadlineNanos)
            throws TimeoutException {
        int slots = n + (barrier != null ? 1 : 0);
        if (slots == 0) {
            return;
        }
        if (slots > ring.getBufferSize()) {
            throw new IllegalArgumentException(
                    n + " entries do not fit the ingestion buffer (" + ring.getBufferSize() + " slots)");
        }
        long hi = claim(slots, deadlineNanos);
        fill(hi - slots + 1, series, times, values, histograms, cumulative, 0, n, barrier);
    }

    /** Whether {@code n} entries and a barrier can be published together ({@link #publishAll}). */
    public boolean fits(int n) {
        return n + 1L <= ring.getBufferSize();
    }

    /** A barrier: completes with the writer's committed-sample total once everything before it is committed. */
    public CompletableFuture<Long> publishBarrier(long deadlineNanos) throws TimeoutException {
        CompletableFuture<Long> barrier = new CompletableFuture<>();
        long seq = claim(1, deadlineNanos);
        try {
            ring.get(seq).setBarrier(barrier);
        } finally {
            ring.publish(seq);
        }
        return barrier;
    }

    private long claim(int slots, long deadlineNanos) throws TimeoutException {
        while (true) {
            try {
                return ring.tryNext(slots);
            } catch (InsufficientCapacityException full) {
                if (System.nanoTime() - deadlineNanos >= 0) {
                    throw new TimeoutException("the ingestion buffer stayed full (" + ring.getBufferSize() + " slots)");
                }
                LockSupport.parkNanos(PARK_NANOS);
            }
        }
    }

    private void fill(
            long lo,
            SeriesRef[] series,
            long[] times,
            double[] values,
            @Nullable HistogramPoint[] histograms,
            long @Nullable [] cumulative,
            int from,
            int count,
            @Nullable CompletableFuture<Long> barrier) {
        long hi = lo + count - (barrier != null ? 0 : 1);
        try {
            long seq = setEntries(lo, series, times, values, histograms, cumulative, from, count);
            if (barrier != null) {
                ring.get(seq).setBarrier(barrier);
            }
        } finally {
            ring.publish(lo, hi);
        }
        accepted.add(count);
    }

    /** Sets {@code count} entries from {@code from} into the slots from {@code seq} on; returns the slot after them. */
    private long setEntries(
            long seq,
            SeriesRef[] series,
            long[] times,
            double[] values,
            @Nullable HistogramPoint[] histograms,
            long @Nullable [] cumulative,
            int from,
            int count) {
        for (int i = from; i < from + count; i++, seq++) {
            HistogramPoint h = histograms != null ? histograms[i] : null;
            long c = cumulative != null ? cumulative[i] : Cumulative.NONE;
            if (h != null) {
                ring.get(seq).setHistogram(series[i], times[i], h, c);
            } else {
                ring.get(seq).setSample(series[i], times[i], values[i], c);
            }
        }
        return seq;
    }

    public int bufferSize() {
        return ring.getBufferSize();
    }

    /** Whether {@code slots} slots are free now (they may be taken before the caller claims them). */
    public boolean hasRoomFor(int slots) {
        return ring.remainingCapacity() >= slots;
    }

    /** Events published and not yet consumed by the writer. */
    public long queueDepth() {
        return ring.getBufferSize() - ring.remainingCapacity();
    }

    /** Entries accepted into the ring since start. */
    public long accepted() {
        return accepted.sum();
    }

    /** From now on {@link #tryPublishSample} refuses and counts ({@link #droppedClosed}): the engine is closing. */
    public void close() {
        closed = true;
    }

    /** Samples refused because the engine was closing or closed. */
    public long droppedClosed() {
        return droppedClosed.sum();
    }

    /** Entries refused because the ring was full. */
    public long droppedFull() {
        return droppedFull.sum();
    }

    /**
     * Stops the handler thread once it has consumed everything published so far, waiting at most {@code timeoutMs};
     * then halts it. Returns how many samples and histograms it never saw (those after {@code lastSeen}, the last
     * sequence the handler took), whose waiting barriers fail.
     */
    public long shutdown(long timeoutMs, LongSupplier lastSeen) {
        try {
            disruptor.shutdown(timeoutMs, TimeUnit.MILLISECONDS);
            return 0;
        } catch (com.lmax.disruptor.TimeoutException e) {
            disruptor.halt();
        }
        long unseen = 0;
        IllegalStateException closed = new IllegalStateException("the engine closed before this was written");
        for (long seq = lastSeen.getAsLong() + 1; seq <= ring.getCursor(); seq++) {
            SampleEvent event = ring.get(seq);
            if (event.kind() == SampleEvent.SAMPLE || event.kind() == SampleEvent.HISTOGRAM) {
                unseen++;
            }
            CompletableFuture<Long> barrier = event.barrier();
            if (barrier != null) {
                barrier.completeExceptionally(closed);
            }
        }
        log.error(
                "Ingestion writer did not drain within {} ms; halted with {} samples and histograms unwritten",
                timeoutMs,
                unseen);
        return unseen;
    }

    private static final class LoggingExceptionHandler implements ExceptionHandler<SampleEvent> {
        @Override
        public void handleEventException(Throwable ex, long sequence, SampleEvent event) {
            log.error("Ingestion writer failed on event {}; it keeps running", sequence, ex);
        }

        @Override
        public void handleOnStartException(Throwable ex) {
            log.error("Ingestion writer failed to start", ex);
        }

        @Override
        public void handleOnShutdownException(Throwable ex) {
            log.error("Ingestion writer failed to shut down cleanly", ex);
        }
    }
}
