package io.agstorage.core;

/** What a series' values mean; stored in {@code series.type} and used to aggregate them correctly. */
public enum MetricType {
    /** A value sampled at a point in time. */
    GAUGE,
    /** A monotonic count; each stored value is the increase since the previous one (delta). */
    COUNTER,
    /** A count that may go up or down; each stored value is the change since the previous one. */
    UP_DOWN_COUNTER,
    /** A distribution stored in the histograms table with its buckets. */
    HISTOGRAM,
    /** A distribution summarised by client-side quantiles, count and sum. */
    SUMMARY;

    /** The name stored in {@code series.type}. */
    public String sqlName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
