package io.agstorage.core.query;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agstorage.core.Aggregation;
import io.agstorage.core.Bucket;
import io.agstorage.core.MetricRow;
import io.agstorage.core.QueryLimitExceededException;
import io.agstorage.core.internal.Json;
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
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The read side over the raw hypertables. Every value is bound; the only SQL fragments spliced in are the
 * validated schema name and this class's constant expression for each {@link Aggregation}.
 */
public final class MetricQueries {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {};

    private final DataSource dataSource;
    private final String rawSql;
    private final Map<Aggregation, String> aggregatedSql = new EnumMap<>(Aggregation.class);

    public MetricQueries(DataSource dataSource, String quotedSchema) {
        this.dataSource = dataSource;
        this.rawSql = "SELECT s.time, s.value, r.labels::text FROM " + quotedSchema + ".samples s JOIN " + quotedSchema
                + ".series r ON r.id = s.series_id WHERE r.metric = ? AND r.labels @> ?::jsonb AND s.time >= ? AND s.time < ? "
                + "ORDER BY s.time, s.series_id LIMIT ?";
        for (Aggregation agg : Aggregation.values()) {
            aggregatedSql.put(agg, "SELECT time_bucket(? * INTERVAL '1 microsecond', s.time) AS bucket, "
                    + expression(agg)
                    + " FROM " + quotedSchema + ".samples s JOIN " + quotedSchema + ".series r ON r.id = s.series_id "
                    + "WHERE r.metric = ? AND r.labels @> ?::jsonb AND s.time >= ? AND s.time < ? GROUP BY bucket ORDER BY bucket LIMIT ?");
        }
    }

    /** The SQL of each aggregation over samples {@code s}: constants, never user text. */
    private static String expression(Aggregation agg) {
        return switch (agg) {
            case AVG -> "avg(s.value)";
            case MIN -> "min(s.value)";
            case MAX -> "max(s.value)";
            case SUM -> "sum(s.value)";
            case COUNT -> "count(*)::double precision";
            case FIRST -> "first(s.value, s.time)";
            case LAST -> "last(s.value, s.time)";
            case P50 -> "percentile_cont(0.5) WITHIN GROUP (ORDER BY s.value)";
            case P95 -> "percentile_cont(0.95) WITHIN GROUP (ORDER BY s.value)";
            case P99 -> "percentile_cont(0.99) WITHIN GROUP (ORDER BY s.value)";
        };
    }

    /** Raw samples, oldest first; fails rather than truncates past {@code maxResults}. */
    public List<MetricRow> raw(String name, Instant start, Instant end, Map<String, String> labels, int maxResults) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(rawSql)) {
            ps.setString(1, name);
            ps.setString(2, Json.object(labels));
            ps.setObject(3, OffsetDateTime.ofInstant(start, ZoneOffset.UTC));
            ps.setObject(4, OffsetDateTime.ofInstant(end, ZoneOffset.UTC));
            ps.setInt(5, maxResults + 1);
            List<MetricRow> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rows.size() == maxResults) {
                        throw new QueryLimitExceededException(maxResults);
                    }
                    rows.add(new MetricRow(rs.getObject(1, OffsetDateTime.class).toInstant(), name, rs.getDouble(2), parseLabels(rs.getString(3))));
                }
            }
            return rows;
        }
    }

    /** Buckets over the raw samples of every series of {@code name} that carries {@code labels}. */
    public List<Bucket> aggregated(String name, Instant start, Instant end, Duration bucket, Aggregation agg,
            Map<String, String> labels, int maxResults) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(aggregatedSql.get(agg))) {
            ps.setLong(1, bucket.toNanos() / 1_000);
            ps.setString(2, name);
            ps.setString(3, Json.object(labels));
            ps.setObject(4, OffsetDateTime.ofInstant(start, ZoneOffset.UTC));
            ps.setObject(5, OffsetDateTime.ofInstant(end, ZoneOffset.UTC));
            ps.setInt(6, maxResults + 1);
            List<Bucket> buckets = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (buckets.size() == maxResults) {
                        throw new QueryLimitExceededException(maxResults);
                    }
                    buckets.add(new Bucket(rs.getObject(1, OffsetDateTime.class).toInstant(), rs.getDouble(2)));
                }
            }
            return buckets;
        }
    }

    private static Map<String, String> parseLabels(String json) {
        try {
            return JSON.readValue(json, LABELS);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("series.labels is not a flat JSON object of strings: " + json, e);
        }
    }
}
