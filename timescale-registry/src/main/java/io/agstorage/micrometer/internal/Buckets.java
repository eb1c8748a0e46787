package io.agstorage.micrometer.internal;

import io.agstorage.core.HistogramPoint;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/** Turns Micrometer's cumulative bucket counts into the per-bucket counts the histograms table stores. */
public final class Buckets {

    private Buckets() {}

    /**
     * An explicit-bucket histogram from Micrometer's cumulative counts ({@code counts[i]} = values
     * {@code <= bound[i]}): finite bounds become {@code bucket_bounds}, each bucket holds its own count, and the
     * last (+Inf) bucket holds what lies above the last bound ({@code count} minus the last cumulative count,
     * or the +Inf entry when Micrometer reports one). The stored count is the sum of the buckets, so the row is
     * always consistent even when a recording raced the snapshot.
     *
     * @param unit the unit to express timer bounds in; null for a distribution summary's plain numbers
     * @return null when there are no buckets
     */
    public static @Nullable HistogramPoint explicit(
            CountAtBucket[] cumulative, long count, double sum, double max, @Nullable TimeUnit unit) {
        int finite = 0;
        for (CountAtBucket c : cumulative) {
            if (Double.isFinite(bound(c, unit))) {
                finite++;
            }
        }
        if (finite == 0 && cumulative.length == 0) {
            return null;
        }
        double[] bounds = new double[finite];
        long[] perBucket = new long[finite + 1];
        long previous = 0;
        long total = 0;
        int n = 0;
        double infCumulative = Double.NaN;
        for (CountAtBucket c : cumulative) {
            double bound = bound(c, unit);
            long cumulativeCount = Math.round(c.count());
            if (!Double.isFinite(bound)) {
                infCumulative = c.count();
                continue;
            }
            if (n > 0 && bound <= bounds[n - 1]) {
                // Bounds that collapse after unit conversion: fold into the previous bucket.
                long add = Math.max(0, cumulativeCount - previous);
                perBucket[n - 1] += add;
                total += add;
                previous = Math.max(previous, cumulativeCount);
                continue;
            }
            long own = Math.max(0, cumulativeCount - previous);
            bounds[n] = bound;
            perBucket[n] = own;
            total += own;
            previous = Math.max(previous, cumulativeCount);
            n++;
        }
        long all = Double.isNaN(infCumulative) ? count : Math.round(infCumulative);
        long above = Math.max(0, all - previous);
        if (n < finite) {
            double[] trimmedBounds = new double[n];
            long[] trimmedCounts = new long[n + 1];
            System.arraycopy(bounds, 0, trimmedBounds, 0, n);
            System.arraycopy(perBucket, 0, trimmedCounts, 0, n);
            bounds = trimmedBounds;
            perBucket = trimmedCounts;
        }
        perBucket[n] = above;
        total += above;
        return HistogramPoint.explicit(
                total,
                Double.isFinite(sum) ? sum : Double.NaN,
                Double.NaN,
                Double.isFinite(max) ? max : Double.NaN,
                bounds,
                perBucket);
    }

    private static double bound(CountAtBucket c, @Nullable TimeUnit unit) {
        return unit != null ? c.bucket(unit) : c.bucket();
    }
}
