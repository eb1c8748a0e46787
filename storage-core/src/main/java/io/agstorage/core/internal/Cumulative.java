package io.agstorage.core.internal;

/**
 * The cumulative marker of a batch entry, one {@code long}: {@link #NONE} for an ordinary sample or histogram (stored
 * as it is), else the start time of a cumulative point with its monotonic flag, whose increase the writer computes
 * against the series' state in the database ({@code cumulative_state}).
 */
public final class Cumulative {

    /** Not cumulative. */
    public static final long NONE = Long.MIN_VALUE;

    private static final long MAX_START_NANOS = (1L << 62) - 1;

    private Cumulative() {}

    /** The marker of a cumulative point; a start time out of range (negative, past year 2116) counts as unknown (0). */
    public static long of(long startNanos, boolean monotonic) {
        long start = startNanos < 0 || startNanos > MAX_START_NANOS ? 0 : startNanos;
        return start << 1 | (monotonic ? 1 : 0);
    }

    /** The start time (epoch nanoseconds, 0 when unknown) of a marker other than {@link #NONE}. */
    public static long startNanos(long marker) {
        return marker >>> 1;
    }

    /** Whether a marker other than {@link #NONE} is of a monotonic sum (a drop is a reset). */
    public static boolean monotonic(long marker) {
        return (marker & 1) != 0;
    }
}
