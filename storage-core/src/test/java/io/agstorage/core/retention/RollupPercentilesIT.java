package io.agstorage.core.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.Aggregation;
import io.agstorage.core.AggregationResult;
import io.agstorage.core.Bucket;
import io.agstorage.core.MetricPoint;
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
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Percentiles over long ranges answered from the rollups' sketches ({@code value_sketch}), on both tiers, compared
 * with the exact answer over the raw samples ({@code percentile_cont}) on skewed and multi-modal data.
 */
class RollupPercentilesIT {

    private static final String METRIC = "pct_metric";
    private static final double MAX_RELATIVE_ERROR = 0.01;
    private static final Aggregation[] PERCENTILES = {Aggregation.P50, Aggregation.P95, Aggregation.P99};

    @RegisterExtension
    final DatabaseExtension apache = DatabaseExtension.apache("pct");

    @RegisterExtension
    final DatabaseExtension tsl = DatabaseExtension.tsl("pct_tsl");

    @Test
    void percentilesOverLongRangesComeFromTheRollupWithinOnePercentOnTheApacheEdition() throws Exception {
        percentilesComeFromTheRollup(apache, Duration.ofSeconds(20));
    }

    @Test
    void percentilesOverLongRangesComeFromTheRollupWithinOnePercentOnTheTslTier() throws Exception {
        percentilesComeFromTheRollup(tsl, Duration.ofSeconds(60));
    }

    private void percentilesComeFromTheRollup(DatabaseExtension db, Duration step) throws Exception {
        Instant end = Instant.now().truncatedTo(ChronoUnit.DAYS);
        Instant start = end.minus(Duration.ofDays(3));
        try (StorageEngine engine = StorageEngine.create(db.config().build())) {
            Random random = new Random(15);
            Map<String, DoubleSupplier> shapes = Map.of(
                    "lognormal", () -> Math.exp(3 + 1.5 * random.nextGaussian()),
                    "pareto", () -> 1.0 / Math.pow(1 - random.nextDouble(), 1 / 1.2),
                    "trimodal",
                            () -> switch (random.nextInt(3)) {
                                case 0 -> 10 + random.nextGaussian();
                                case 1 -> 100 + 5 * random.nextGaussian();
                                default -> 1_000 + 50 * random.nextGaussian();
                            },
                    "losses", () -> -Math.exp(1 + random.nextGaussian()));
            List<MetricPoint> batch = new ArrayList<>();
            for (Instant t = start; t.isBefore(end); t = t.plus(step)) {
                for (Map.Entry<String, DoubleSupplier> shape : shapes.entrySet()) {
                    batch.add(MetricPoint.of(METRIC, shape.getValue().getAsDouble())
                            .withLabel("shape", shape.getKey())
                            .withLabel("sign", shape.getKey().equals("losses") ? "negative" : "positive")
                            .at(t));
                }
                if (batch.size() >= 4_000) {
                    engine.insertMetricsBatch(batch);
                    batch.clear();
                }
            }
            engine.insertMetricsBatch(batch);
            RetentionManager.builder(engine).build().runRetention();

            List<Map<String, String>> filters = new ArrayList<>();
            shapes.keySet().forEach(shape -> filters.add(Map.of("shape", shape)));
            filters.add(Map.of("sign", "positive")); // three series merged
            for (Map<String, String> labels : filters) {
                for (Aggregation agg : PERCENTILES) {
                    String what = agg + " of " + labels + " on " + db.schema();
                    AggregationResult whole =
                            engine.queryAggregated(METRIC, start, end, Duration.ofDays(3), agg, labels);
                    assertThat(whole.source()).as(what + " over 3 days").isEqualTo("metrics_daily");
                    assertWithinOnePercent(
                            what + " over 3 days",
                            whole.buckets(),
                            exact(db, start, end, Duration.ofDays(3), agg, labels));

                    AggregationResult hourly =
                            engine.queryAggregated(METRIC, start, end, Duration.ofHours(1), agg, labels);
                    assertThat(hourly.source()).as(what + " per hour").isEqualTo("metrics_hourly");
                    assertWithinOnePercent(
                            what + " per hour",
                            hourly.buckets(),
                            exact(db, start, end, Duration.ofHours(1), agg, labels));
                }
            }
            // the stored sketches, read and merged in Java, give what the SQL functions give
            String daily = "FROM \"" + db.schema() + "\".metrics_daily d JOIN \"" + db.schema()
                    + "\".series r ON r.id = d.series_id WHERE r.labels ->> 'shape' = 'pareto'";
            ValueSketch merged = new ValueSketch();
            try (Connection c = db.connect();
                    PreparedStatement ps = c.prepareStatement("SELECT d.value_sketch " + daily);
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Long[] entries = (Long[]) rs.getArray(1).getArray();
                    merged.addEncoded(java.util.Arrays.stream(entries)
                            .mapToLong(Long::longValue)
                            .toArray());
                }
            }
            assertThat(merged.count()).isEqualTo(db.queryLong("SELECT sum(d.sample_count) " + daily));
            assertThat(merged.quantile(0.99))
                    .isCloseTo(
                            db.queryDouble("SELECT \"" + db.schema()
                                    + "\".sketch_quantile(\"" + db.schema() + "\".sketch_merge(d.value_sketch), 0.99) "
                                    + daily),
                            org.assertj.core.api.Assertions.withinPercentage(1e-9));

            // not on the rollup's boundaries: the exact answer from the raw samples
            AggregationResult raw = engine.queryAggregated(
                    METRIC, start.plusSeconds(1), end, Duration.ofDays(3), Aggregation.P99, Map.of("shape", "pareto"));
            assertThat(raw.source()).isEqualTo("samples");
        }
    }

    private static void assertWithinOnePercent(String what, List<Bucket> actual, List<Bucket> expected) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            Bucket e = expected.get(i);
            Bucket a = actual.get(i);
            assertThat(a.start()).as(what).isEqualTo(e.start());
            double relative = Math.abs(a.value() - e.value()) / Math.abs(e.value());
            assertThat(relative)
                    .as(what + " at " + e.start() + ": rollup " + a.value() + " vs raw " + e.value())
                    .isLessThanOrEqualTo(MAX_RELATIVE_ERROR);
        }
    }

    /** The exact answer, written out here independently of the code under test. */
    private static List<Bucket> exact(
            DatabaseExtension db,
            Instant start,
            Instant end,
            Duration bucket,
            Aggregation agg,
            Map<String, String> labels)
            throws SQLException {
        double q = switch (agg) {
            case P50 -> 0.5;
            case P95 -> 0.95;
            default -> 0.99;
        };
        String key = labels.keySet().iterator().next();
        String sql = "SELECT time_bucket(? * INTERVAL '1 microsecond', s.time) AS b, percentile_cont(?) WITHIN GROUP "
                + "(ORDER BY s.value) FROM \"" + db.schema() + "\".samples s JOIN \"" + db.schema()
                + "\".series r ON r.id = s.series_id WHERE r.metric = ? AND r.labels ->> ? = ? AND s.time >= ? "
                + "AND s.time < ? GROUP BY b ORDER BY b";
        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, bucket.toNanos() / 1_000);
            ps.setDouble(2, q);
            ps.setString(3, METRIC);
            ps.setString(4, key);
            ps.setString(5, labels.get(key));
            ps.setObject(6, OffsetDateTime.ofInstant(start, ZoneOffset.UTC));
            ps.setObject(7, OffsetDateTime.ofInstant(end, ZoneOffset.UTC));
            List<Bucket> buckets = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    buckets.add(new Bucket(rs.getObject(1, OffsetDateTime.class).toInstant(), rs.getDouble(2)));
                }
            }
            assertThat(buckets).as("reference answer").isNotEmpty();
            return buckets;
        }
    }
}
