package io.agstorage.core.retention;

import java.util.Arrays;

/**
 * The values' sketch the metric rollups keep per series and bucket ({@code value_sketch} in {@code metrics_hourly}
 * and {@code metrics_daily}, {@code sql/V010}), in Java: a log-bucketed histogram with a relative accuracy of
 * {@value #RELATIVE_ACCURACY} (DDSketch's construction). Reads and writes the stored encoding, so an application
 * can merge the arrays a query returns and ask for any quantile; {@link #quantile} gives what the SQL function
 * {@code sketch_quantile} gives.
 *
 * <p>A value {@code v > 0} falls in bucket {@code i = ceil(ln(v) / ln(gamma))}, {@code gamma = (1 + a) / (1 - a)},
 * i.e. in {@code (gamma^(i-1), gamma^i]}, and is read back as {@code 2 gamma^i / (1 + gamma)}: within {@code a} of
 * every value of the bucket. Negative values use the mirrored buckets; zero has its own. An encoded entry is
 * {@code key << 43 | count}, {@code key = i + 100000} for positive values, {@code -(i + 100000)} for negative ones and
 * 0 for zero, so keys sort as values do. Not thread-safe.
 */
public final class ValueSketch {

    /** The relative accuracy of a value read back from its bucket. */
    public static final double RELATIVE_ACCURACY = 0.005;

    static final double GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
    private static final double LN_GAMMA = Math.log(GAMMA);
    private static final int OFFSET = 100_000;
    private static final int COUNT_BITS = 43;
    private static final long COUNT_MASK = (1L << COUNT_BITS) - 1;

    private long[] keys = new long[16];
    private long[] counts = new long[16];
    private int size;
    private long total;

    /** The bucket key of {@code value} (finite). */
    public static long key(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("value must be finite, was " + value);
        }
        if (value == 0) {
            return 0;
        }
        long index = (long) Math.ceil(Math.log(Math.abs(value)) / LN_GAMMA) + OFFSET;
        return value > 0 ? index : -index;
    }

    /** The value a bucket key reads back as. */
    public static double value(long key) {
        if (key == 0) {
            return 0;
        }
        double magnitude = 2 * Math.pow(GAMMA, Math.abs(key) - OFFSET) / (1 + GAMMA);
        return key > 0 ? magnitude : -magnitude;
    }

    /** Adds one value. */
    public ValueSketch add(double value) {
        return add(key(value), 1);
    }

    /** Adds every entry of an encoded sketch (a stored {@code value_sketch}; keys may repeat). */
    public ValueSketch addEncoded(long[] entries) {
        for (long entry : entries) {
            add(entry >> COUNT_BITS, entry & COUNT_MASK);
        }
        return this;
    }

    /** Adds every bucket of {@code other}. */
    public ValueSketch merge(ValueSketch other) {
        for (int i = 0; i < other.size; i++) {
            add(other.keys[i], other.counts[i]);
        }
        return this;
    }

    /** How many values it holds. */
    public long count() {
        return total;
    }

    /** The stored encoding: one entry per key, sorted by key. */
    public long[] encoded() {
        long[] entries = new long[size];
        for (int i = 0; i < size; i++) {
            entries[i] = (keys[i] << COUNT_BITS) | counts[i];
        }
        return entries;
    }

    /**
     * The {@code q}-quantile as {@code percentile_cont(q)} computes it over the values (interpolating between the two
     * values around rank {@code q * (n - 1)}), each value read back from its bucket; NaN when empty.
     */
    public double quantile(double q) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("q must be between 0 and 1, was " + q);
        }
        if (total == 0) {
            return Double.NaN;
        }
        double rank = q * (total - 1);
        double lo = value(keyAtRank((long) Math.floor(rank)));
        double f = rank - Math.floor(rank);
        return f == 0 ? lo : lo + f * (value(keyAtRank((long) Math.ceil(rank))) - lo);
    }

    /** The key of the bucket holding the value of 0-based rank {@code rank}. */
    private long keyAtRank(long rank) {
        long cumulative = 0;
        for (int i = 0; i < size; i++) {
            cumulative += counts[i];
            if (cumulative > rank) {
                return keys[i];
            }
        }
        return keys[size - 1];
    }

    private ValueSketch add(long key, long count) {
        int at = Arrays.binarySearch(keys, 0, size, key);
        if (at >= 0) {
            counts[at] += count;
        } else {
            int insert = -at - 1;
            if (size == keys.length) {
                keys = Arrays.copyOf(keys, size * 2);
                counts = Arrays.copyOf(counts, size * 2);
            }
            System.arraycopy(keys, insert, keys, insert + 1, size - insert);
            System.arraycopy(counts, insert, counts, insert + 1, size - insert);
            keys[insert] = key;
            counts[insert] = count;
            size++;
        }
        total += count;
        return this;
    }

    @Override
    public String toString() {
        return "ValueSketch[count=" + total + ", buckets=" + size + ", relativeAccuracy=" + RELATIVE_ACCURACY + "]";
    }
}
