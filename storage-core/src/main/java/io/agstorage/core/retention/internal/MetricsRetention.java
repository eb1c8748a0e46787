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

    public static final RollupDefinition METRICS_HOURLY = metrics("metrics_hourly", Duration.ofHours(1));
    public static final RollupDefinition METRICS_DAILY = metrics("metrics_daily", Duration.ofDays(1));

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

    private static RollupDefinition metrics(String name, Duration grain) {
        return new RollupDefinition(
                name,
                "samples",
                List.of("samples"),
                grain,
                "%1$s.samples s",
                "s.time",
                List.of(new Column("series_id", "s.series_id")),
                List.of(
                        new Column("sample_count", "count(*)"), new Column("value_sum", "sum(s.value)"),
                        new Column("value_min", "min(s.value)"), new Column("value_max", "max(s.value)"),
                        new Column("time_first", "min(s.time)"), new Column("value_first", "first(s.value, s.time)"),
                        new Column("time_last", "max(s.time)"), new Column("value_last", "last(s.value, s.time)")));
    }

    @Override
    public String toString() {
        return "MetricsRetention[samples, histograms, exemplars, metrics_hourly, metrics_daily]";
    }
}
