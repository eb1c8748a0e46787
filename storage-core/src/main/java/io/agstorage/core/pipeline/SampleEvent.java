package io.agstorage.core.pipeline;

import io.agstorage.core.HistogramPoint;
import io.agstorage.core.internal.SeriesRef;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/** A preallocated ring slot: a sample, a histogram, or a barrier that completes once all before it is committed. */
public final class SampleEvent {

    public static final byte SAMPLE = 0;
    public static final byte HISTOGRAM = 1;
    public static final byte BARRIER = 2;

    byte kind;
    @Nullable SeriesRef series;
    long epochMicros;
    double value;
    @Nullable HistogramPoint histogram;
    @Nullable CompletableFuture<Long> barrier;

    public byte kind() { return kind; }
    public @Nullable SeriesRef series() { return series; }
    public long epochMicros() { return epochMicros; }
    public double value() { return value; }
    public @Nullable HistogramPoint histogram() { return histogram; }
    public @Nullable CompletableFuture<Long> barrier() { return barrier; }

    void setSample(SeriesRef series, long epochMicros, double value) {
        this.kind = SAMPLE;
        this.series = series;
        this.epochMicros = epochMicros;
        this.value = value;
        this.histogram = null;
        this.barrier = null;
    }

    void setHistogram(SeriesRef series, long epochMicros, HistogramPoint histogram) {
        this.kind = HISTOGRAM;
        this.series = series;
        this.epochMicros = epochMicros;
        this.histogram = histogram;
        this.barrier = null;
    }

    void setBarrier(CompletableFuture<Long> barrier) {
        this.kind = BARRIER;
        this.series = null;
        this.histogram = null;
        this.barrier = barrier;
    }

    /** Drops object references once consumed, so the ring does not keep garbage alive. */
    public void clear() {
        series = null;
        histogram = null;
        barrier = null;
    }
}
