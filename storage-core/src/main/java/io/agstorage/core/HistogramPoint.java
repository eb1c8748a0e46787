package io.agstorage.core;

import java.util.Arrays;

/**
 * One histogram snapshot, stored with its shape in the {@code histograms} hypertable: either explicit
 * buckets (upper bounds + a count per bucket, the last bucket open to +Inf) or base-2 exponential buckets
 * as OpenTelemetry defines them. Counts are per bucket, not cumulative. Absent min/max/sum are NaN.
 *
 * <p>The factories check the shape and throw {@link IllegalArgumentException} naming the field and rule.
 */
public final class HistogramPoint {

    private final long count;
    private final double sum;
    private final double min;
    private final double max;
    private final double[] bucketBounds;
    private final long[] bucketCounts;
    private final boolean exponential;
    private final int scale;
    private final long zeroCount;
    private final int positiveOffset;
    private final long[] positiveCounts;
    private final int negativeOffset;
    private final long[] negativeCounts;

    private HistogramPoint(
            long count,
            double sum,
            double min,
            double max,
            double[] bucketBounds,
            long[] bucketCounts,
            boolean exponential,
            int scale,
            long zeroCount,
            int positiveOffset,
            long[] positiveCounts,
            int negativeOffset,
            long[] negativeCounts) {
        this.count = count;
        this.sum = sum;
        this.min = min;
        this.max = max;
        this.bucketBounds = bucketBounds;
        this.bucketCounts = bucketCounts;
        this.exponential = exponential;
        this.scale = scale;
        this.zeroCount = zeroCount;
        this.positiveOffset = positiveOffset;
        this.positiveCounts = positiveCounts;
        this.negativeOffset = negativeOffset;
        this.negativeCounts = negativeCounts;
    }

    /**
     * An explicit-bucket histogram.
     *
     * @param bounds strictly increasing finite upper bounds
     * @param counts one count per bucket: {@code bounds.length + 1} entries, the last for (last bound, +Inf)
     */
    public static HistogramPoint explicit(
            long count, double sum, double min, double max, double[] bounds, long[] counts) {
        if (counts.length != bounds.length + 1) {
            throw new IllegalArgumentException("bucket_counts must have bucket_bounds.length + 1 = "
                    + (bounds.length + 1) + " entries, was " + counts.length);
        }
        for (int i = 0; i < bounds.length; i++) {
            if (!Double.isFinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
                throw new IllegalArgumentException(
                        "bucket_bounds must be finite and strictly increasing, was " + Arrays.toString(bounds));
            }
        }
        checkCounts("bucket_counts", counts, count, 0);
        checkSummary(count, sum);
        return new HistogramPoint(
                count, sum, min, max, bounds.clone(), counts.clone(), false, 0, 0, 0, new long[0], 0, new long[0]);
    }

    /** A base-2 exponential histogram, as OpenTelemetry defines it. */
    public static HistogramPoint exponential(
            long count,
            double sum,
            double min,
            double max,
            int scale,
            long zeroCount,
            int positiveOffset,
            long[] positiveCounts,
            int negativeOffset,
            long[] negativeCounts) {
        if (scale < -10 || scale > 20) {
            throw new IllegalArgumentException("scale must be between -10 and 20, was " + scale);
        }
        if (zeroCount < 0) {
            throw new IllegalArgumentException("zero_count must be >= 0, was " + zeroCount);
        }
        checkCounts("negative_counts", negativeCounts, Long.MAX_VALUE, 0);
        checkCounts("positive_counts", positiveCounts, count, zeroCount + sum(negativeCounts));
        checkSummary(count, sum);
        return new HistogramPoint(
                count,
                sum,
                min,
                max,
                new double[0],
                new long[0],
                true,
                scale,
                zeroCount,
                positiveOffset,
                positiveCounts.clone(),
                negativeOffset,
                negativeCounts.clone());
    }

    private static long sum(long[] counts) {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        return total;
    }

    private static void checkCounts(String field, long[] counts, long expectedTotal, long plus) {
        long total = plus;
        for (long c : counts) {
            if (c < 0) {
                throw new IllegalArgumentException(field + " must all be >= 0, was " + Arrays.toString(counts));
            }
            total += c;
        }
        if (expectedTotal != Long.MAX_VALUE && total != expectedTotal) {
            throw new IllegalArgumentException(
                    field + " must add up to count " + expectedTotal + ", added up to " + total);
        }
    }

    private static void checkSummary(long count, double sum) {
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0, was " + count);
        }
        if (Double.isInfinite(sum)) {
            throw new IllegalArgumentException("sum must be finite or absent (NaN), was " + sum);
        }
    }

    public long count() {
        return count;
    }
    /** The sum of recorded values, or NaN when absent. */
    public double sum() {
        return sum;
    }
    /** The minimum, or NaN when absent. */
    public double min() {
        return min;
    }
    /** The maximum, or NaN when absent. */
    public double max() {
        return max;
    }

    public boolean isExponential() {
        return exponential;
    }

    public double[] bucketBounds() {
        return bucketBounds.clone();
    }

    public long[] bucketCounts() {
        return bucketCounts.clone();
    }

    public int scale() {
        return scale;
    }

    public long zeroCount() {
        return zeroCount;
    }

    public int positiveOffset() {
        return positiveOffset;
    }

    public long[] positiveCounts() {
        return positiveCounts.clone();
    }

    public int negativeOffset() {
        return negativeOffset;
    }

    public long[] negativeCounts() {
        return negativeCounts.clone();
    }

    @Override
    public String toString() {
        return exponential
                ? "HistogramPoint{count=" + count + ", sum=" + sum + ", scale=" + scale + ", zero=" + zeroCount
                        + ", positive=" + positiveOffset + Arrays.toString(positiveCounts) + ", negative="
                        + negativeOffset + Arrays.toString(negativeCounts) + "}"
                : "HistogramPoint{count=" + count + ", sum=" + sum + ", min=" + min + ", max=" + max + ", bounds="
                        + Arrays.toString(bucketBounds) + ", counts=" + Arrays.toString(bucketCounts) + "}";
    }

    /**
     * The increase from {@code earlier} to this snapshot, both cumulative snapshots of one series: bucket-wise
     * differences (an earlier exponential snapshot at a finer scale is downscaled first); min and max are unknown
     * (NaN). Null when they cannot be subtracted (another bucket layout, a scale that grew, a count that dropped): a
     * reset.
     */
    public @org.jspecify.annotations.Nullable HistogramPoint minus(HistogramPoint earlier) {
        return HistogramDeltas.subtract(this, earlier);
    }
}
