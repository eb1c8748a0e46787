package io.agstorage.core.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.Aggregation;
import io.agstorage.core.Bucket;
import io.agstorage.core.MetricSeries;
import io.agstorage.core.SampleBatch;
import io.agstorage.core.StorageEngine;
import io.agstorage.core.testing.DatabaseExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Test data for the retention tests: a few series over many days, values k/8 so every sum is exact in a double. */
final class RetentionData {

    static final String METRIC = "retention_metric";

    private RetentionData() {}

    /** The value of series {@code s} at {@code t}: a multiple of 1/8 below 13, so sums of thousands stay exact. */
    static double value(int s, Instant t) {
        return Math.floorMod(t.getEpochSecond() / 600 + 7L * s, 97) / 8.0;
    }

    static MetricSeries[] series(StorageEngine engine, int count) {
        MetricSeries[] series = new MetricSeries[count];
        for (int s = 0; s < count; s++) {
            series[s] = engine.series(METRIC, Map.of("shard", "s" + s));
        }
        return series;
    }

    /** Writes one sample per series every {@code step} in {@code [from, to)} through the engine; returns how many. */
    static long load(StorageEngine engine, MetricSeries[] series, Instant from, Instant to, Duration step)
            throws Exception {
        SampleBatch batch = new SampleBatch(4_096);
        long total = 0;
        for (Instant t = from; t.isBefore(to); t = t.plus(step)) {
            for (int s = 0; s < series.length; s++) {
                batch.add(series[s], micros(t), value(s, t));
            }
            if (batch.size() >= 4_000) {
                total += batch.size();
                engine.submit(batch).get(60, TimeUnit.SECONDS);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            total += batch.size();
            engine.submit(batch).get(60, TimeUnit.SECONDS);
        }
        return total;
    }

    static long micros(Instant t) {
        return TimeUnit.SECONDS.toMicros(t.getEpochSecond()) + t.getNano() / 1_000;
    }

    static Instant hourFloor(Instant t) {
        return t.truncatedTo(ChronoUnit.HOURS);
    }

    static Instant dayFloor(Instant t) {
        return t.truncatedTo(ChronoUnit.DAYS);
    }

    /** The raw-table answer, computed here with plain SQL (the reference the rollups must equal). */
    static List<Bucket> rawAggregate(
            DatabaseExtension db, String schema, Instant start, Instant end, Duration bucket, Aggregation agg)
            throws SQLException {
        return rawAggregate(db, schema, start, end, bucket, agg, Map.of());
    }

    static List<Bucket> rawAggregate(
            DatabaseExtension db,
            String schema,
            Instant start,
            Instant end,
            Duration bucket,
            Aggregation agg,
            Map<String, String> labels)
            throws SQLException {
        String sql = "SELECT time_bucket(? * INTERVAL '1 microsecond', s.time) AS b, " + expression(agg) + " FROM \""
                + schema + "\".samples s JOIN \"" + schema + "\".series r ON r.id = s.series_id "
                + "WHERE r.metric = ? AND r.labels @> ?::jsonb AND s.time >= ? AND s.time < ? GROUP BY b ORDER BY b";
        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, bucket.toNanos() / 1_000);
            ps.setString(2, METRIC);
            ps.setString(3, labels.isEmpty() ? "{}" : "{\"shard\":\"" + labels.get("shard") + "\"}");
            ps.setObject(4, OffsetDateTime.ofInstant(start, ZoneOffset.UTC));
            ps.setObject(5, OffsetDateTime.ofInstant(end, ZoneOffset.UTC));
            List<Bucket> buckets = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    buckets.add(new Bucket(rs.getObject(1, OffsetDateTime.class).toInstant(), rs.getDouble(2)));
                }
            }
            assertThat(buckets).as("reference answer for " + agg).isNotEmpty();
            return buckets;
        }
    }

    /** The reference SQL of each aggregation, written out here independently of the code under test. */
    static String expression(Aggregation agg) {
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

    /** Rows of {@code a} missing from {@code b} plus rows of {@code b} missing from {@code a}: 0 when equal. */
    static long symmetricDifference(DatabaseExtension db, String a, String b) {
        return db.queryLong("SELECT (SELECT count(*) FROM (" + a + " EXCEPT ALL " + b + ") x) + (SELECT count(*) FROM ("
                + b + " EXCEPT ALL " + a + ") y)");
    }
}
