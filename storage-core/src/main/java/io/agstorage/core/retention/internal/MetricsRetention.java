package io.agstorage.core.retention.internal;

import io.agstorage.core.retention.RetainedTable;
import io.agstorage.core.retention.RetentionContributor;
import io.agstorage.core.retention.RetentionSetting;
import io.agstorage.core.retention.RollupDefinition;
import io.agstorage.core.retention.RollupDefinition.Column;
import java.time.Duration;
import java.util.List;

/**
 * Storage-core's own contribution: {@code series}, the {@code samples} and {@code histograms} hypertables (kept
 * for {@code retention.metrics_retention_days}, compressed by series), the {@code exemplars} hypertable (kept as long,
 * not compressed) and the metric rollups that {@link RollupQueries} reads. The {@code series} rows with nothing left
 * are deleted by {@link OrphanSeries}. Always first; not registered as a service, so it is never found twice.
 */
public final class MetricsRetention implements RetentionContributor {

    /** Hourly, from {@code samples}, with the values' sketch ({@code sql/V010}) for percentiles. */
    public static final RollupDefinition METRICS_HOURLY = new RollupDefinition(
            "metrics_hourly",
            "samples",
            List.of("samples"),
            Duration.ofHours(1),
            "%1$s.samples s",
            "s.time",
            List.of(new Column("series_id", "s.series_id")),
            List.of(
                    new Column("sample_count", "count(*)"),
                    new Column("value_sum", "sum(s.value)"),
                    new Column("value_min", "min(s.value)"),
                    new Column("value_max", "max(s.value)"),
                    new Column("time_first", "min(s.time)"),
                    new Column("value_first", "first(s.value, s.time)"),
                    new Column("time_last", "max(s.time)"),
                    new Column("value_last", "last(s.value, s.time)"),
                    new Column("value_sketch", "%1$s.sketch_compact(array_agg(%1$s.sketch_entry(s.value)))")));

    /**
     * Daily, rolled up from {@code metrics_hourly} (a continuous aggregate on the hourly one on the TSL tier): the
     * same columns, the hourly sketches merged, so a day's sketch never needs all of its raw values at once.
     */
    public static final RollupDefinition METRICS_DAILY = new RollupDefinition(
            "metrics_daily",
            "metrics_hourly",
            List.of("samples"),
            Duration.ofDays(1),
            "%1$s.metrics_hourly h",
            "h.bucket",
            List.of(new Column("series_id", "h.series_id")),
            List.of(
                    new Column("sample_count", "sum(h.sample_count)::bigint"),
                    new Column("value_sum", "sum(h.value_sum)"),
                    new Column("value_min", "min(h.value_min)"),
                    new Column("value_max", "max(h.value_max)"),
                    new Column("time_first", "min(h.time_first)"),
                    new Column("value_first", "first(h.value_first, h.time_first)"),
                    new Column("time_last", "max(h.time_last)"),
                    new Column("value_last", "last(h.value_last, h.time_last)"),
                    new Column("value_sketch", "%1$s.sketch_merge(h.value_sketch)")));

    /** The metrics rollups a query may read, coarsest first. */
    public static final List<RollupDefinition> METRICS = List.of(METRICS_DAILY, METRICS_HOURLY);

    private static final List<RetainedTable> HYPERTABLES = List.of(
            RetainedTable.compressed("samples", RetentionSetting.METRICS, "series_id", "time"),
            RetainedTable.compressed("histograms", RetentionSetting.METRICS, "series_id", "time"),
            RetainedTable.of("exemplars", RetentionSetting.METRICS));

    @Override
    public String name() {
        return "metrics";
    }

    @Override
    public List<RetainedTable> hypertables() {
        return HYPERTABLES;
    }

    @Override
    public List<String> regularTables() {
        return List.of("series");
    }

    /** Hourly first: the order runs refresh them in. */
    @Override
    public List<RollupDefinition> rollups() {
        return List.of(METRICS_HOURLY, METRICS_DAILY);
    }

    @Override
    public String toString() {
        return "MetricsRetention[samples, histograms, exemplars, metrics_hourly, metrics_daily]";
    }
}
