package io.agstorage.execution.journal;

import java.util.Locale;
import java.util.Objects;

/** When an appended record is forced to the storage device before {@link Journal#awaitDurable} returns. */
public enum SyncPolicy {
    /**
     * Never waits for the device: the record is in the operating system's page cache when the append returns.
     * Survives the death of the JVM ({@code kill -9}), not a crash or power loss of the machine.
     */
    NONE,
    /**
     * Group commit: the caller waits for an {@code fsync} that one background thread issues for every record
     * written so far, so concurrent callers share one device flush. Survives a machine crash.
     */
    BATCH,
    /** One {@code fsync} per record, under the append lock. Survives a machine crash; the slowest. */
    ALWAYS;

    /**
     * Parses {@code none}, {@code batch} or {@code always}, ignoring case.
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static SyncPolicy parse(String value) {
        Objects.requireNonNull(value, "syncPolicy");
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "none" -> NONE;
            case "batch" -> BATCH;
            case "always" -> ALWAYS;
            default -> throw new IllegalArgumentException("syncPolicy must be one of none, batch, always, was '" + value + "'");
        };
    }
}
