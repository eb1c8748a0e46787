package io.agstorage.core;

import io.agstorage.core.internal.SeriesBudget;
import io.agstorage.core.internal.SeriesRegistry;

/**
 * A snapshot of an engine's series counts and of the {@link SeriesLimits} refusals since it started.
 *
 * @param known series known to this engine: in the schema at start, plus those created or met since
 * @param cached series interned in memory now (at most {@code limits.max_cached_series})
 * @param evicted series evicted from memory so far (found again on their next use)
 * @param refusedMaxSeries new series refused by {@code limits.max_series}
 * @param refusedMaxSeriesPerMetric new series refused by {@code limits.max_series_per_metric}
 * @param refusedLabelBytes new series refused by {@code limits.max_label_bytes}
 */
public record SeriesStats(
        long known,
        long cached,
        long evicted,
        long refusedMaxSeries,
        long refusedMaxSeriesPerMetric,
        long refusedLabelBytes) {

    /** New series refused for {@code reason}. */
    public long refused(SeriesLimitException.Reason reason) {
        return switch (reason) {
            case MAX_SERIES -> refusedMaxSeries;
            case MAX_SERIES_PER_METRIC -> refusedMaxSeriesPerMetric;
            case LABEL_BYTES -> refusedLabelBytes;
        };
    }

    /** The registry's counts and refusals now. */
    static SeriesStats of(SeriesRegistry registry) {
        SeriesBudget b = registry.budget();
        return new SeriesStats(
                b.known(),
                registry.size(),
                registry.evicted(),
                b.refused(SeriesLimitException.Reason.MAX_SERIES),
                b.refused(SeriesLimitException.Reason.MAX_SERIES_PER_METRIC),
                b.refused(SeriesLimitException.Reason.LABEL_BYTES));
    }
}
