package io.agstorage.core;

import io.agstorage.core.internal.query.MetricQueries;
import io.agstorage.core.internal.query.QueryCache;
import io.agstorage.core.retention.internal.RollupQueries;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The read side of a {@link StorageEngine}: checks a query's arguments, answers it from the cache
 * ({@code query.enable_cache}), a rollup or the raw samples, and caps its rows at {@code query.max_results}.
 */
final class EngineQueries {

    private static final Map<String, String> NO_LABELS = Map.of();

    private final int maxResults;
    private final MetricQueries queries;
    private final RollupQueries rollups;
    private final @Nullable QueryCache cache;

    EngineQueries(StorageConfig config, DataSource dataSource, String quotedSchema) {
        this.maxResults = config.maxResults();
        this.queries = new MetricQueries(dataSource, quotedSchema);
        this.rollups = new RollupQueries(dataSource, quotedSchema);
        this.cache = config.enableCache()
                ? new QueryCache(Duration.ofSeconds(config.cacheTtlSec()), Clock.systemUTC())
                : null;
    }

    /** {@link StorageEngine#queryMetrics}. */
    List<MetricRow> raw(String name, Instant start, Instant end, @Nullable Map<String, String> labels) {
        Objects.requireNonNull(name, "name");
        checkRange(start, end);
        Map<String, String> filter = labels == null ? NO_LABELS : Map.copyOf(labels);
        record RawKey(String name, Instant start, Instant end, Map<String, String> labels) {}
        return cached(new RawKey(name, start, end, filter), end, () -> {
            try {
                return queries.raw(name, start, end, filter, maxResults);
            } catch (SQLException e) {
                throw new StorageException("queryMetrics failed: " + e.getMessage(), e);
            }
        });
    }

    /** {@link StorageEngine#queryAggregated(String, Instant, Instant, Duration, Aggregation, Map)}. */
    AggregationResult aggregated(
            String name,
            Instant start,
            Instant end,
            Duration bucket,
            Aggregation agg,
            @Nullable Map<String, String> labels) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(agg, "aggregation");
        checkRange(start, end);
        if (bucket.isNegative() || bucket.toNanos() < 1_000) {
            throw new IllegalArgumentException("bucket must be at least 1 microsecond, was " + bucket);
        }
        Map<String, String> filter = labels == null ? NO_LABELS : Map.copyOf(labels);
        record AggKey(
                String name,
                Instant start,
                Instant end,
                Duration bucket,
                Aggregation agg,
                Map<String, String> labels) {}
        return cached(new AggKey(name, start, end, bucket, agg, filter), end, () -> {
            try {
                AggregationResult fromRollup = rollups.aggregated(name, start, end, bucket, agg, filter, maxResults);
                return fromRollup != null
                        ? fromRollup
                        : new AggregationResult(
                                "samples", queries.aggregated(name, start, end, bucket, agg, filter, maxResults));
            } catch (SQLException e) {
                throw new StorageException("queryAggregated failed: " + e.getMessage(), e);
            }
        });
    }

    private <T> T cached(Object key, Instant end, Supplier<T> query) {
        return cache != null ? cache.get(key, end, query) : query.get();
    }

    private static void checkRange(Instant start, Instant end) {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        if (end.isBefore(start)) {
            throw new IllegalArgumentException("end must not be before start, was start=" + start + ", end=" + end);
        }
    }
}
