package io.agstorage.core.retention.internal;

import io.agstorage.core.Aggregation;
import io.agstorage.core.AggregationResult;
import io.agstorage.core.Bucket;
import io.agstorage.core.internal.query.BucketQuery;
import io.agstorage.core.json.LabelsJson;
import io.agstorage.core.retention.RollupDefinition;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The rollup-aware path of {@code StorageEngine.queryAggregated}: answers from {@code metrics_daily} or
 * {@code metrics_hourly} when that gives exactly the raw table's answer, i.e. when
 * <ul>
 *   <li>the aggregation can be folded from the rollup's columns (AVG as Σsum/Σcount, MIN, MAX, SUM, COUNT, FIRST,
 *       LAST exactly; P50, P95, P99 from the rows' merged sketches, {@code sql/V010}, within 0.5% of the exact
 *       answer; rows without a sketch send a percentile to the raw table);</li>
 *   <li>the bucket is a multiple of the rollup's grain, and start and end fall on its bucket boundaries; and</li>
 *   <li>the range is covered: {@code end <= rollup_watermarks.watermark} of that rollup (on the TSL tier the
 *       continuous aggregates are real-time, watermark {@code infinity}).</li>
 * </ul>
 * Otherwise returns null and the caller reads the raw hypertable.
 */
public final class RollupQueries {

    private static final String UNDEFINED_TABLE = "42P01";
    private static final String UNDEFINED_COLUMN = "42703";
    private static final String UNDEFINED_FUNCTION = "42883";

    private final DataSource dataSource;
    /** In one round trip: the candidate rollups that cover the range, and the ids of the matching series. */
    private final String coveredSql;

    private final Map<String, Map<Aggregation, String>> sql = new HashMap<>();

    public RollupQueries(DataSource dataSource, String quotedSchema) {
        this.dataSource = dataSource;
        this.coveredSql = "SELECT ARRAY(SELECT rollup FROM " + quotedSchema
                + ".rollup_watermarks WHERE rollup = ANY (?) AND watermark >= ?), " + "ARRAY(SELECT id FROM "
                + quotedSchema + ".series WHERE metric = ? AND labels @> ?::jsonb)";
        for (RollupDefinition rollup : MetricsRetention.METRICS) {
            Map<Aggregation, String> byAgg = new EnumMap<>(Aggregation.class);
            String table = quotedSchema + "." + rollup.name() + " h";
            String where =
                    " WHERE h.series_id = ANY (?) AND h.bucket >= ? AND h.bucket < ? GROUP BY b ORDER BY b LIMIT ?";
            for (Aggregation agg : Aggregation.values()) {
                String bucket = "SELECT time_bucket(? * INTERVAL '1 microsecond', h.bucket) AS b, ";
                Double q = quantile(agg);
                byAgg.put(
                        agg,
                        q == null
                                ? bucket + expression(agg) + " FROM " + table + where
                                // the sketches of the bucket's rows, merged; the third column is false when a row has
                                // none (written before V010): the caller then reads the raw samples
                                : bucket + quotedSchema + ".sketch_quantile(array_agg(e), " + q
                                        + "), bool_and(e IS NOT NULL) FROM " + table
                                        + " LEFT JOIN LATERAL unnest(h.value_sketch) e ON true" + where);
            }
            sql.put(rollup.name(), byAgg);
        }
    }

    /** How {@code agg} folds rollup rows: exactly, or for percentiles through the rows' sketches. */
    static String expression(Aggregation agg) {
        return switch (agg) {
            case AVG -> "sum(h.value_sum) / sum(h.sample_count)";
            case MIN -> "min(h.value_min)";
            case MAX -> "max(h.value_max)";
            case SUM -> "sum(h.value_sum)";
            case COUNT -> "sum(h.sample_count)::double precision";
            case FIRST -> "first(h.value_first, h.time_first)";
            case LAST -> "last(h.value_last, h.time_last)";
            case P50, P95, P99 -> "sketch_quantile";
        };
    }

    /** The quantile a percentile aggregation asks for, or null for the others. */
    static @Nullable Double quantile(Aggregation agg) {
        return switch (agg) {
            case P50 -> 0.5;
            case P95 -> 0.95;
            case P99 -> 0.99;
            default -> null;
        };
    }

    /** The rollups whose grain divides the bucket and whose boundaries the range falls on, coarsest first. */
    static List<RollupDefinition> candidates(Instant start, Instant end, Duration bucket, Aggregation agg) {
        List<RollupDefinition> result = new ArrayList<>();
        long bucketMicros = bucket.toNanos() / 1_000;
        long startMicros = micros(start);
        long endMicros = micros(end);
        for (RollupDefinition rollup : MetricsRetention.METRICS) {
            long grain = rollup.grainMicros();
            if (bucketMicros % grain == 0
                    && Math.floorMod(startMicros, grain) == 0
                    && Math.floorMod(endMicros, grain) == 0) {
                result.add(rollup);
            }
        }
        return result;
    }

    private static long micros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
    }

    /**
     * The buckets from the coarsest rollup that answers exactly, or null when none does (the caller then reads
     * {@code samples}).
     */
    public @Nullable AggregationResult aggregated(
            String name,
            Instant start,
            Instant end,
            Duration bucket,
            Aggregation agg,
            Map<String, String> labels,
            int maxResults)
            throws SQLException {
        List<RollupDefinition> candidates = candidates(start, end, bucket, agg);
        if (candidates.isEmpty() || !end.isAfter(start)) {
            return null;
        }
        try (Connection c = dataSource.getConnection()) {
            Set<String> covered = new HashSet<>();
            Long[] ids;
            try (PreparedStatement ps = c.prepareStatement(coveredSql)) {
                ps.setArray(
                        1,
                        c.createArrayOf(
                                "text",
                                candidates.stream().map(RollupDefinition::name).toArray()));
                ps.setObject(2, OffsetDateTime.ofInstant(end, ZoneOffset.UTC));
                ps.setString(3, name);
                ps.setString(4, LabelsJson.write(labels));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    covered.addAll(Arrays.asList((String[]) rs.getArray(1).getArray()));
                    ids = (Long[]) rs.getArray(2).getArray();
                }
            } catch (SQLException e) {
                if (UNDEFINED_TABLE.equals(e.getSQLState())) {
                    return null; // a schema migrated before V004 (database.migrate = false): raw only
                }
                throw e;
            }
            // The series ids are bound as an array so that the rollup is read through its (series_id, bucket) index:
            // joined to series in one statement, the planner cannot tell how few series a label filter selects and
            // scans the whole rollup instead.
            for (RollupDefinition rollup : candidates) {
                if (covered.contains(rollup.name())) {
                    if (ids.length == 0) {
                        return new AggregationResult(rollup.name(), List.of());
                    }
                    List<Bucket> buckets = query(c, rollup, ids, start, end, bucket, agg, maxResults);
                    return buckets == null ? null : new AggregationResult(rollup.name(), buckets);
                }
            }
            return null;
        }
    }

    /** The buckets, or null when a percentile meets rows without a sketch (the caller then reads the samples). */
    private @Nullable List<Bucket> query(
            Connection c,
            RollupDefinition rollup,
            Long[] seriesIds,
            Instant start,
            Instant end,
            Duration bucket,
            Aggregation agg,
            int maxResults)
            throws SQLException {
        long[] ids = Arrays.stream(seriesIds).mapToLong(Long::longValue).toArray();
        try {
            return BucketQuery.run(c, sql.get(rollup.name()).get(agg), ids, start, end, bucket, maxResults);
        } catch (SQLException e) {
            if (UNDEFINED_COLUMN.equals(e.getSQLState()) || UNDEFINED_FUNCTION.equals(e.getSQLState())) {
                return null; // a TSL continuous aggregate created before V010: no sketch, percentiles read samples
            }
            throw e;
        }
    }
}
