package io.agstorage.micrometer.internal;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.Histogram;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.NoopHistogram;
import io.micrometer.core.instrument.distribution.StepBucketHistogram;
import io.micrometer.core.instrument.distribution.TimeWindowPercentileHistogram;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import org.jspecify.annotations.Nullable;

/**
 * The histogram of a timer or distribution summary: bucket counts of the last completed step (exact deltas, so
 * they add up across steps), and client-side percentiles over Micrometer's usual decaying time window.
 * Micrometer's own step histograms do one or the other; this keeps both, so a timer can publish percentiles and
 * store step-exact buckets at once.
 */
public final class StepHistogram implements Histogram {

    private static final ValueAtPercentile[] NO_PERCENTILES = new ValueAtPercentile[0];
    private static final CountAtBucket[] NO_BUCKETS = new CountAtBucket[0];

    private final @Nullable StepBuckets buckets;
    private final @Nullable Histogram percentiles;

    private StepHistogram(@Nullable StepBuckets buckets, @Nullable Histogram percentiles) {
        this.buckets = buckets;
        this.percentiles = percentiles;
    }

    /** The histogram {@code config} asks for: buckets, percentiles, both, or none ({@link NoopHistogram}). */
    public static Histogram create(Clock clock, long stepMillis, DistributionStatisticConfig config) {
        boolean withBuckets = config.isPublishingHistogram();
        boolean withPercentiles = config.isPublishingPercentiles();
        if (!withBuckets && !withPercentiles) {
            return NoopHistogram.INSTANCE;
        }
        return new StepHistogram(
                withBuckets ? new StepBuckets(clock, stepMillis, config) : null,
                withPercentiles ? new TimeWindowPercentileHistogram(clock, config, false) : null);
    }

    /** Rolls the bucket counts so that the next snapshot holds the current, partial step (when closing). */
    public static void closingRollover(Histogram histogram) {
        if (histogram instanceof StepHistogram h && h.buckets != null) {
            h.buckets.closingRollover();
        }
    }

    @Override
    public void recordLong(long value) {
        if (buckets != null) {
            buckets.recordLong(value);
        }
        if (percentiles != null) {
            percentiles.recordLong(value);
        }
    }

    @Override
    public void recordDouble(double value) {
        if (buckets != null) {
            buckets.recordDouble(value);
        }
        if (percentiles != null) {
            percentiles.recordDouble(value);
        }
    }

    @Override
    public HistogramSnapshot takeSnapshot(long count, double total, double max) {
        ValueAtPercentile[] values = percentiles != null
                ? percentiles.takeSnapshot(count, total, max).percentileValues()
                : NO_PERCENTILES;
        CountAtBucket[] counts =
                buckets != null ? buckets.takeSnapshot(count, total, max).histogramCounts() : NO_BUCKETS;
        return new HistogramSnapshot(count, total, max, values, counts, null);
    }

    @Override
    public void close() {
        if (buckets != null) {
            buckets.close();
        }
        if (percentiles != null) {
            percentiles.close();
        }
    }

    /** Step-exact cumulative bucket counts, with the closing rollover reachable from this package. */
    private static final class StepBuckets extends StepBucketHistogram {

        StepBuckets(Clock clock, long stepMillis, DistributionStatisticConfig config) {
            super(clock, stepMillis, config, true, true);
        }

        void closingRollover() {
            _closingRollover();
        }
    }
}
