package io.agstorage.core;

import java.time.Instant;

/**
 * The times ag-storage stores: from the Unix epoch to the last microsecond of year 9999. Samples, histograms and
 * execution records outside this range are refused (or dropped on the no-throw paths), in every module alike.
 */
public final class TimeBounds {

    /** 1970-01-01T00:00:00Z in microseconds since the epoch. */
    public static final long MIN_EPOCH_MICROS = 0L;
    /** 9999-12-31T23:59:59.999999Z in microseconds since the epoch. */
    public static final long MAX_EPOCH_MICROS = 253_402_300_799_999_999L;
    /** The earliest storable time, 1970-01-01T00:00:00Z. */
    public static final Instant MIN = Instant.EPOCH;
    /** The latest storable time, 9999-12-31T23:59:59.999999Z. */
    public static final Instant MAX = Instant.parse("9999-12-31T23:59:59.999999Z");

    private TimeBounds() {}

    /** Whether a time in microseconds since the epoch lies within the storable range. */
    public static boolean contains(long epochMicros) {
        return epochMicros >= MIN_EPOCH_MICROS && epochMicros <= MAX_EPOCH_MICROS;
    }

    /** Whether an instant lies within the storable range. */
    public static boolean contains(Instant time) {
        return !time.isBefore(MIN) && !time.isAfter(MAX);
    }
}
