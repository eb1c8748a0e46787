package io.agstorage.core;

import static io.agstorage.core.ConfigChecks.inRange;

import java.util.Objects;

/**
 * The {@code limits} section of a {@link StorageConfig}: how many series an engine may create, and how large one may
 * be. Checked where a series is created, so every door (handles, {@code insertMetric*}, the Micrometer registry, the
 * OTel exporter, the OTLP receiver) is held to them; a point that would create a series past a limit is refused with a
 * {@link SeriesLimitException}, every other point of the same call is stored.
 *
 * <pre>{@code
 * limits: { max_series, max_series_per_metric, max_label_bytes, max_cached_series }
 * }</pre>
 *
 * Counts are per engine: the series in the schema when the engine started, plus those it created or met
 * since. Immutable.
 */
public final class SeriesLimits {

    private static final SeriesLimits DEFAULTS = new Builder().build();

    private final int maxSeries;
    private final int maxSeriesPerMetric;
    private final int maxLabelBytes;
    private final int maxCachedSeries;

    private SeriesLimits(Builder b) {
        this.maxSeries = b.maxSeries;
        this.maxSeriesPerMetric = b.maxSeriesPerMetric;
        this.maxLabelBytes = b.maxLabelBytes;
        this.maxCachedSeries = b.maxCachedSeries;
    }

    /** The defaults: 1,000,000 series, 100,000 per metric, 16,384 label bytes per series, 100,000 cached. */
    public static SeriesLimits defaults() {
        return DEFAULTS;
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these limits. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxSeries = maxSeries;
        b.maxSeriesPerMetric = maxSeriesPerMetric;
        b.maxLabelBytes = maxLabelBytes;
        b.maxCachedSeries = maxCachedSeries;
        return b;
    }

    /** {@code limits.max_series}: series of all metrics together. */
    public int maxSeries() {
        return maxSeries;
    }

    /** {@code limits.max_series_per_metric}: series of one metric name. */
    public int maxSeriesPerMetric() {
        return maxSeriesPerMetric;
    }

    /** {@code limits.max_label_bytes}: UTF-8 bytes of one series' label keys and values together. */
    public int maxLabelBytes() {
        return maxLabelBytes;
    }

    /** {@code limits.max_cached_series}: series kept in memory; colder ones are evicted, found again on use. */
    public int maxCachedSeries() {
        return maxCachedSeries;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SeriesLimits l
                && l.maxSeries == maxSeries
                && l.maxSeriesPerMetric == maxSeriesPerMetric
                && l.maxLabelBytes == maxLabelBytes
                && l.maxCachedSeries == maxCachedSeries;
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxSeries, maxSeriesPerMetric, maxLabelBytes, maxCachedSeries);
    }

    @Override
    public String toString() {
        return "max_series=" + maxSeries + ", max_series_per_metric=" + maxSeriesPerMetric + ", max_label_bytes="
                + maxLabelBytes + ", max_cached_series=" + maxCachedSeries;
    }

    /** Builds {@link SeriesLimits}; each setter checks its range and names the key, the rule and the value. */
    public static final class Builder {
        private int maxSeries = 1_000_000;
        private int maxSeriesPerMetric = 100_000;
        private int maxLabelBytes = 16_384;
        private int maxCachedSeries = 100_000;

        private Builder() {}

        /** {@code limits.max_series}, 1 to 100,000,000. Default: 1,000,000. */
        public Builder setMaxSeries(int max) {
            this.maxSeries = inRange("limits.max_series", max, 1, 100_000_000);
            return this;
        }

        /** {@code limits.max_series_per_metric}, 1 to 100,000,000. Default: 100,000. */
        public Builder setMaxSeriesPerMetric(int max) {
            this.maxSeriesPerMetric = inRange("limits.max_series_per_metric", max, 1, 100_000_000);
            return this;
        }

        /** {@code limits.max_label_bytes}, 64 to 1,048,576. Default: 16,384 (resource attributes are labels too). */
        public Builder setMaxLabelBytes(int max) {
            this.maxLabelBytes = inRange("limits.max_label_bytes", max, 64, 1 << 20);
            return this;
        }

        /** {@code limits.max_cached_series}, 1,000 to 100,000,000. Default: 100,000. */
        public Builder setMaxCachedSeries(int max) {
            this.maxCachedSeries = inRange("limits.max_cached_series", max, 1_000, 100_000_000);
            return this;
        }

        /**
         * Sets one key of the section from its text form ({@code max_series} or {@code limits.max_series}).
         *
         * @throws IllegalArgumentException for an unknown key or a bad value
         */
        public Builder set(String key, String value) {
            Objects.requireNonNull(key, "key");
            String name = key.startsWith("limits.") ? key.substring("limits.".length()) : key;
            String full = "limits." + name;
            Objects.requireNonNull(value, full);
            int v;
            try {
                v = Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                if (!isKey(name)) {
                    throw new IllegalArgumentException("unknown configuration key '" + full + "'");
                }
                throw ConfigChecks.invalid(full, "must be an integer", "'" + value + "'");
            }
            return switch (name) {
                case "max_series" -> setMaxSeries(v);
                case "max_series_per_metric" -> setMaxSeriesPerMetric(v);
                case "max_label_bytes" -> setMaxLabelBytes(v);
                case "max_cached_series" -> setMaxCachedSeries(v);
                default -> throw new IllegalArgumentException("unknown configuration key '" + full + "'");
            };
        }

        private static boolean isKey(String name) {
            return switch (name) {
                case "max_series", "max_series_per_metric", "max_label_bytes", "max_cached_series" -> true;
                default -> false;
            };
        }

        /** The immutable limits. */
        public SeriesLimits build() {
            return new SeriesLimits(this);
        }
    }
}
