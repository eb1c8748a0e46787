package io.agstorage.core;

/**
 * A point would have created a series past one of the {@link SeriesLimits}: the series was not created and the point
 * not stored. Series that already exist keep being written. An {@link IllegalArgumentException}, so every door refuses
 * the point as it refuses a point that breaks a rule; {@link #reason()} tells which limit.
 */
public final class SeriesLimitException extends IllegalArgumentException {

    /** Which limit refused the series; {@link #tag()} is its value in the meter {@code ag_storage.series.refused}. */
    public enum Reason {
        /** {@code limits.max_series}. */
        MAX_SERIES("max_series"),
        /** {@code limits.max_series_per_metric}. */
        MAX_SERIES_PER_METRIC("max_series_per_metric"),
        /** {@code limits.max_label_bytes}. */
        LABEL_BYTES("label_bytes");

        private final String tag;

        Reason(String tag) {
            this.tag = tag;
        }

        /** The meter tag value: {@code max_series}, {@code max_series_per_metric} or {@code label_bytes}. */
        public String tag() {
            return tag;
        }
    }

    private final Reason reason;
    private final String metric;

    /** A refusal of a new series of {@code metric} for {@code reason}, explained by {@code message}. */
    public SeriesLimitException(Reason reason, String metric, String message) {
        super(message);
        this.reason = reason;
        this.metric = metric;
    }

    /** Which limit refused the series. */
    public Reason reason() {
        return reason;
    }

    /** The metric name of the refused series. */
    public String metric() {
        return metric;
    }
}
