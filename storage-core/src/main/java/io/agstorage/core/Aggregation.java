package io.agstorage.core;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How {@link StorageEngine#queryAggregated} folds the values of one time bucket into one. */
public enum Aggregation {
    AVG,
    MIN,
    MAX,
    SUM,
    COUNT,
    /** The value with the earliest time in the bucket. */
    FIRST,
    /** The value with the latest time in the bucket. */
    LAST,
    /** The median, interpolated between values ({@code percentile_cont}). */
    P50,
    /** The 95th percentile, interpolated between values ({@code percentile_cont}). */
    P95,
    /** The 99th percentile, interpolated between values ({@code percentile_cont}). */
    P99;

    /**
     * Parses a name such as {@code "avg"} or {@code "P99"}, ignoring case and surrounding blanks.
     *
     * @throws IllegalArgumentException naming the accepted values and the one given
     */
    public static Aggregation parse(String name) {
        if (name != null) {
            for (Aggregation a : values()) {
                if (a.name().equalsIgnoreCase(name.trim())) {
                    return a;
                }
            }
        }
        String accepted = Arrays.stream(values())
                .map(a -> a.name().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(", "));
        throw new IllegalArgumentException(
                "aggregation must be one of " + accepted + ", was " + (name == null ? "null" : "'" + name + "'"));
    }
}
