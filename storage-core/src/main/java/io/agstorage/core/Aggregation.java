package io.agstorage.core;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How {@link StorageEngine#queryAggregated} folds the values of one time bucket into one. */
public enum Aggregation {
    AVG("avg(value)"),
    MIN("min(value)"),
    MAX("max(value)"),
    SUM("sum(value)"),
    COUNT("count(*)::double precision"),
    FIRST("first(value, time)"),
    LAST("last(value, time)"),
    P50("percentile_cont(0.5) WITHIN GROUP (ORDER BY value)"),
    P95("percentile_cont(0.95) WITHIN GROUP (ORDER BY value)"),
    P99("percentile_cont(0.99) WITHIN GROUP (ORDER BY value)");

    private final String sql;

    Aggregation(String sql) {
        this.sql = sql;
    }

    /** The SQL expression over the columns {@code value} and {@code time}; a constant, never user text. */
    public String sqlExpression() {
        return sql;
    }

    /**
     * Parses a name such as {@code "avg"} or {@code "P99"}, ignoring case.
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
        String accepted = Arrays.stream(values()).map(a -> a.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));
        throw new IllegalArgumentException("aggregation must be one of " + accepted + ", was " + (name == null ? "null" : "'" + name + "'"));
    }
}
