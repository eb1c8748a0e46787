package io.agstorage.core.internal.query;

import io.agstorage.core.Aggregation;
import io.agstorage.core.Bucket;
import io.agstorage.core.MetricRow;
import io.agstorage.core.QueryLimitExceededException;
import io.agstorage.core.json.LabelsJson;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The read side over the raw hypertables. Each query first looks up the matching series ids in the small
 * {@code series} table (GIN on labels), then reads the hypertable by its {@code (series_id, time)} index: the
 * planner cannot estimate a JSONB-filtered join, and would otherwise scan every chunk in the range.
 *
 * <p>Every value is bound; the only SQL spliced in is the validated schema name and this class's constant
 * expression for each {@link Aggregation}.
 */
public final class MetricQueries {

    private final DataSource dataSource;
    private final String seriesSql;
    private final String rawSql;
    private final Map<Aggregation, String> aggregatedSql = new EnumMap<>(Aggregation.class);

    public MetricQueries(DataSource dataSource, String quotedSchema) {
        this.dataSource = dataSource;
        this.seriesSql =
                "SELECT id, labels::text FROM " + quotedSchema + ".series WHERE metric = ? AND labels @> ?::jsonb";
        this.rawSql = "SELECT time, series_id, value FROM " + quotedSchema + ".samples "
                + "WHERE series_id = ANY(?) AND time >= ? AND time < ? ORDER BY time, series_id LIMIT ?";
        for (Aggregation agg : Aggregation.values()) {
            aggregatedSql.put(
                    agg,
                    "SELECT time_bucket(? * INTERVAL '1 microsecond', time) AS bucket, " + expression(agg)
                            + " FROM " + quotedSchema + ".samples WHERE series_id = ANY(?) AND time >= ? AND time < ? "
                            + "GROUP BY bucket ORDER BY bucket LIMIT ?");
        }
    }

    /** The SQL of each aggregation over the columns {@code value} and {@code time}: constants, never user text. */
    private static String expression(Aggregation agg) {
        return switch (agg) {
            case AVG -> "avg(value)";
            case MIN -> "min(value)";
            case MAX -> "max(value)";
            case SUM -> "sum(value)";
            case COUNT -> "count(*)::double precision";
            case FIRST -> "first(value, time)";
            case LAST -> "last(value, time)";
            case P50 -> "percentile_cont(0.5) WITHIN GROUP (ORDER BY value)";
            case P95 -> "percentile_cont(0.95) WITHIN GROUP (ORDER BY value)";
            case P99 -> "percentile_cont(0.99) WITHIN GROUP (ORDER BY value)";
        };
    }

    /** Raw samples, oldest first; fails rather than truncates past {@code maxResults}. */
    public List<MetricRow> raw(String name, Instant start, Instant end, Map<String, String> labels, int maxResults)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Map<Long, Map<String, String>> series = series(c, name, labels);
            List<MetricRow> rows = new ArrayList<>();
            if (series.isEmpty()) {
                return rows;
            }
            try (PreparedStatement ps = c.prepareStatement(rawSql)) {
                ps.setObject(1, ids(series));
                ps.setObject(2, OffsetDateTime.ofInstant(start, ZoneOffset.UTC));
                ps.setObject(3, OffsetDateTime.ofInstant(end, ZoneOffset.UTC));
                ps.setInt(4, maxResults + 1);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (rows.size() == maxResults) {
                            throw new QueryLimitExceededException(maxResults);
                        }
                        rows.add(new MetricRow(
                                rs.getObject(1, OffsetDateTime.class).toInstant(),
                                name,
                                rs.getDouble(3),
                                series.get(rs.getLong(2))));
                    }
                }
            }
            return rows;
        }
    }

    /** Buckets over the raw samples of every series of {@code name} that carries {@code labels}. */
    public List<Bucket> aggregated(
            String name,
            Instant start,
            Instant end,
            Duration bucket,
            Aggregation agg,
            Map<String, String> labels,
            int maxResults)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Map<Long, Map<String, String>> series = series(c, name, labels);
            if (series.isEmpty()) {
                return List.of();
            }
            return Objects.requireNonNull(
                    BucketQuery.run(c, aggregatedSql.get(agg), ids(series), start, end, bucket, maxResults));
        }
    }

    private Map<Long, Map<String, String>> series(Connection c, String name, Map<String, String> labels)
            throws SQLException {
        Map<Long, Map<String, String>> series = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(seriesSql)) {
            ps.setString(1, name);
            ps.setString(2, LabelsJson.write(labels));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    series.put(rs.getLong(1), LabelsJson.parse(rs.getString(2)));
                }
            }
        }
        return series;
    }

    private static long[] ids(Map<Long, ?> series) {
        return series.keySet().stream().mapToLong(Long::longValue).toArray();
    }
}
