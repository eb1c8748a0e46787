package io.agstorage.core.internal;

import java.time.Instant;

/** Conversions between {@link Instant} and the microseconds since the epoch that ag-storage stores. */
public final class Time {

    /** Microseconds between 1970-01-01 and PostgreSQL's epoch, 2000-01-01. */
    public static final long POSTGRES_EPOCH_OFFSET_MICROS = 946_684_800_000_000L;

    private Time() {}

    public static Instant toInstant(long epochMicros) {
        return Instant.ofEpochSecond(
                Math.floorDiv(epochMicros, 1_000_000L), Math.floorMod(epochMicros, 1_000_000L) * 1_000L);
    }

    public static String format(long epochMicros) {
        if (epochMicros == Long.MAX_VALUE) {
            return "after +1000000000-12-31";
        }
        if (epochMicros == Long.MIN_VALUE) {
            return "before -1000000000-01-01";
        }
        return toInstant(epochMicros).toString();
    }

    /** Now, in microseconds since the epoch, without allocating. */
    public static long nowMicros() {
        return System.currentTimeMillis() * 1_000L;
    }
}
