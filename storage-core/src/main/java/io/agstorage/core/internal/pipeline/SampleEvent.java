package io.agstorage.core.internal.pipeline;

import io.agstorage.core.HistogramPoint;
import io.agstorage.core.internal.SeriesRef;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * A preallocated ring slot: a sample, a histogram, a barrier that completes once all before it is committed, or a
 * spool mark: the head of one spooled record, announcing that the next {@link #spoolEntries()} entries are that
 * record's; how far the record got is committed with them, and its future completes once all of them are.
 */
public final class SampleEvent {

    public static final byte SAMPLE = 0;
    public static final byte HISTOGRAM = 1;
    public static final byte BARRIER = 2;
    public static final byte SPOOL_MARK = 3;

    byte kind;

    @Nullable
    SeriesRef series;

    long epochMicros;
    double value;
    long cumulative = io.agstorage.core.internal.Cumulative.NONE;

    @Nullable
    HistogramPoint histogram;

    @Nullable
    CompletableFuture<Long> barrier;

    @Nullable
    UUID spool;

    long spoolSequence;
    int spoolEntries;
    int spoolFirstEntry;

    public byte kind() {
        return kind;
    }

    public @Nullable SeriesRef series() {
        return series;
    }

    public long epochMicros() {
        return epochMicros;
    }

    public double value() {
        return value;
    }

    public @Nullable HistogramPoint histogram() {
        return histogram;
    }

    /** The {@link io.agstorage.core.internal.Cumulative} marker of a sample or histogram (NONE: store as it is). */
    public long cumulative() {
        return cumulative;
    }

    public @Nullable CompletableFuture<Long> barrier() {
        return barrier;
    }
    /** The spool of a {@link #SPOOL_MARK}. */
    public @Nullable UUID spool() {
        return spool;
    }
    /** The sequence of a {@link #SPOOL_MARK}'s record in its spool. */
    public long spoolSequence() {
        return spoolSequence;
    }
    /** How many entries right after this mark belong to its record. */
    public int spoolEntries() {
        return spoolEntries;
    }
    /** The index in its record of the first entry after this mark (not 0 when a replay resumes a record). */
    public int spoolFirstEntry() {
        return spoolFirstEntry;
    }

    void setSample(SeriesRef series, long epochMicros, double value, long cumulative) {
        this.kind = SAMPLE;
        this.series = series;
        this.epochMicros = epochMicros;
        this.value = value;
        this.cumulative = cumulative;
        this.histogram = null;
        this.barrier = null;
    }

    void setHistogram(SeriesRef series, long epochMicros, HistogramPoint histogram, long cumulative) {
        this.kind = HISTOGRAM;
        this.series = series;
        this.epochMicros = epochMicros;
        this.cumulative = cumulative;
        this.histogram = histogram;
        this.barrier = null;
    }

    void setBarrier(CompletableFuture<Long> barrier) {
        this.kind = BARRIER;
        this.series = null;
        this.histogram = null;
        this.barrier = barrier;
    }

    void setSpoolMark(UUID spool, long sequence, int firstEntry, int entries, CompletableFuture<Long> committed) {
        this.kind = SPOOL_MARK;
        this.series = null;
        this.histogram = null;
        this.barrier = committed;
        this.spool = spool;
        this.spoolSequence = sequence;
        this.spoolFirstEntry = firstEntry;
        this.spoolEntries = entries;
    }

    /** Drops object references once consumed, so the ring does not keep garbage alive. */
    public void clear() {
        series = null;
        histogram = null;
        barrier = null;
        spool = null;
    }
}
