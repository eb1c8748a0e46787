package io.agstorage.core;

import io.agstorage.core.internal.PointRules;
import io.agstorage.core.internal.SeriesRef;
import io.agstorage.core.internal.Time;
import io.agstorage.core.internal.pipeline.IngestPipeline;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * A hot-path handle on one series (metric + labels), from {@link StorageEngine#series}. Keep it and call
 * {@link #record(double)}: no allocation per call, never blocks, thread-safe.
 *
 * <p>{@code record} returns false, and counts the drop, when the value is not finite or the buffer is full;
 * it never throws, so a metrics hiccup never disturbs the caller.
 */
public final class MetricSeries {

    private final SeriesRef ref;
    private final IngestPipeline pipeline;
    private final LongAdder droppedInvalid;

    MetricSeries(SeriesRef ref, IngestPipeline pipeline, LongAdder droppedInvalid) {
        this.ref = ref;
        this.pipeline = pipeline;
        this.droppedInvalid = droppedInvalid;
    }

    /** Records {@code value} now (millisecond precision). */
    public boolean record(double value) {
        return record(value, Time.nowMicros());
    }

    /** Records {@code value} at {@code epochMicros}, microseconds since 1970-01-01T00:00:00Z. */
    public boolean record(double value, long epochMicros) {
        if (!PointRules.isStorable(value, epochMicros)) {
            droppedInvalid.increment();
            return false;
        }
        return pipeline.tryPublishSample(ref, epochMicros, value);
    }

    /** Records {@code value} at {@code time}. */
    public boolean recordAt(double value, Instant time) {
        return record(value, PointRules.toEpochMicros(time));
    }

    public String name() {
        return ref.metric();
    }

    public Map<String, String> labels() {
        return ref.labels();
    }

    public MetricType type() {
        return ref.type();
    }

    SeriesRef ref() {
        return ref;
    }

    @Override
    public String toString() {
        return "MetricSeries{" + ref + "}";
    }
}
