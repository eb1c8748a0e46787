package io.agstorage.core;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/** Bucket-wise difference of two cumulative histogram snapshots of one series. */
final class HistogramDeltas {

    private HistogramDeltas() {}

    /**
     * {@code current - previous}, or null when they cannot be subtracted (another bucket layout, an exponential
     * scale that grew, or a count that dropped: the caller treats that as a reset). Min and max of a difference
     * are unknown (NaN).
     */
    static @Nullable HistogramPoint subtract(HistogramPoint current, @Nullable HistogramPoint previous) {
        if (previous == null
                || current.isExponential() != previous.isExponential()
                || current.count() < previous.count()) {
            return null;
        }
        long count = current.count() - previous.count();
        double sum = Double.isNaN(current.sum()) || Double.isNaN(previous.sum())
                ? Double.NaN
                : current.sum() - previous.sum();
        if (!current.isExponential()) {
            double[] bounds = current.bucketBounds();
            if (!Arrays.equals(bounds, previous.bucketBounds())) {
                return null;
            }
            long[] counts = current.bucketCounts();
            long[] before = previous.bucketCounts();
            for (int i = 0; i < counts.length; i++) {
                counts[i] -= before[i];
                if (counts[i] < 0) {
                    return null;
                }
            }
            try {
                return HistogramPoint.explicit(count, sum, Double.NaN, Double.NaN, bounds, counts);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        int scale = current.scale();
        if (previous.scale() < scale) {
            return null;
        }
        int shift = previous.scale() - scale;
        long zero = current.zeroCount() - previous.zeroCount();
        long[] positive = subtractBuckets(
                current.positiveOffset(),
                current.positiveCounts(),
                previous.positiveOffset(),
                previous.positiveCounts(),
                shift);
        long[] negative = subtractBuckets(
                current.negativeOffset(),
                current.negativeCounts(),
                previous.negativeOffset(),
                previous.negativeCounts(),
                shift);
        if (zero < 0 || positive == null || negative == null) {
            return null;
        }
        try {
            return HistogramPoint.exponential(
                    count,
                    sum,
                    Double.NaN,
                    Double.NaN,
                    scale,
                    zero,
                    current.positiveOffset(),
                    positive,
                    current.negativeOffset(),
                    negative);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Current buckets minus the previous ones downscaled by {@code shift}; null when a bucket would go negative. */
    private static long @Nullable [] subtractBuckets(
            int offset, long[] counts, int prevOffset, long[] prevCounts, int shift) {
        long[] result = counts.clone();
        for (int i = 0; i < prevCounts.length; i++) {
            if (prevCounts[i] == 0) {
                continue;
            }
            int index = (prevOffset + i) >> shift;
            int at = index - offset;
            if (at < 0 || at >= result.length) {
                return null;
            }
            result[at] -= prevCounts[i];
            if (result[at] < 0) {
                return null;
            }
        }
        return result;
    }
}
