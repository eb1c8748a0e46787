package io.agstorage.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.agstorage.core.testing.DatabaseExtension;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class StorageEngineIT {

    private static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("engine").withEngine();

    @Test
    void insertedPointComesBackWithItsLabelsAndTime() {
        db.engine()
                .insertMetric(MetricPoint.of("fill_latency_ms", 4.25)
                        .withLabel("venue", "polymarket")
                        .withLabel("side", "buy")
                        .at(T0));

        List<MetricRow> rows = db.engine().queryMetrics("fill_latency_ms", T0, T0.plusSeconds(1), null);

        assertThat(rows)
                .containsExactly(
                        new MetricRow(T0, "fill_latency_ms", 4.25, Map.of("venue", "polymarket", "side", "buy")));
    }

    @Test
    void insertMetricReturnsOnlyOnceCommitted() {
        db.engine().insertMetric(MetricPoint.of("committed_check", 1).at(T0));

        assertThat(db.queryLong(
                        "SELECT count(*) FROM " + db.schema() + ".metrics WHERE metric_name = 'committed_check'"))
                .isEqualTo(1);
    }

    @Test
    void timeKeepsMicrosecondPrecision() {
        Instant t = Instant.parse("2026-01-05T10:00:00.123456Z");
        db.engine().insertMetric(MetricPoint.of("precise", 1).at(t));

        assertThat(db.engine().queryMetrics("precise", T0, T0.plusSeconds(1), null))
                .extracting(MetricRow::time)
                .containsExactly(t);
    }

    @Test
    void labelFilterMatchesSeriesContainingThoseLabels() {
        db.engine()
                .insertMetricsBatch(List.of(
                        MetricPoint.of("orders", 1)
                                .withLabel("venue", "a")
                                .withLabel("market", "m1")
                                .at(T0),
                        MetricPoint.of("orders", 2)
                                .withLabel("venue", "a")
                                .withLabel("market", "m2")
                                .at(T0.plusSeconds(1)),
                        MetricPoint.of("orders", 3)
                                .withLabel("venue", "b")
                                .withLabel("market", "m1")
                                .at(T0.plusSeconds(2))));

        assertThat(db.engine().queryMetrics("orders", T0, T0.plusSeconds(60), Map.of("venue", "a")))
                .extracting(MetricRow::value)
                .containsExactly(1.0, 2.0);
        assertThat(db.engine().queryMetrics("orders", T0, T0.plusSeconds(60), Map.of("venue", "a", "market", "m2")))
                .extracting(MetricRow::value)
                .containsExactly(2.0);
        assertThat(db.engine().queryMetrics("orders", T0, T0.plusSeconds(60), Map.of()))
                .hasSize(3);
        assertThat(db.engine().queryMetrics("orders", T0, T0.plusSeconds(60), Map.of("venue", "c")))
                .isEmpty();
    }

    @Test
    void rangeIsStartInclusiveEndExclusive() {
        db.engine()
                .insertMetricsBatch(List.of(
                        MetricPoint.of("edge", 1).at(T0),
                        MetricPoint.of("edge", 2).at(T0.plusSeconds(10))));

        assertThat(db.engine().queryMetrics("edge", T0, T0.plusSeconds(10), null))
                .extracting(MetricRow::value)
                .containsExactly(1.0);
    }

    @Test
    void everyAggregationMatchesItsDefinition() {
        List<MetricPoint> points = new ArrayList<>();
        double[] firstHour = {5, 1, 4, 2, 3};
        for (int i = 0; i < firstHour.length; i++) {
            points.add(MetricPoint.of("px", firstHour[i])
                    .withLabel("s", String.valueOf(i % 2))
                    .at(T0.plusSeconds(60L * i)));
        }
        points.add(MetricPoint.of("px", 10).at(T0.plus(1, ChronoUnit.HOURS)));
        db.engine().insertMetricsBatch(points);
        Instant end = T0.plus(2, ChronoUnit.HOURS);
        Duration hour = Duration.ofHours(1);

        assertThat(value(Aggregation.AVG, end, hour)).isEqualTo(3.0);
        assertThat(value(Aggregation.MIN, end, hour)).isEqualTo(1.0);
        assertThat(value(Aggregation.MAX, end, hour)).isEqualTo(5.0);
        assertThat(value(Aggregation.SUM, end, hour)).isEqualTo(15.0);
        assertThat(value(Aggregation.COUNT, end, hour)).isEqualTo(5.0);
        assertThat(value(Aggregation.FIRST, end, hour)).isEqualTo(5.0);
        assertThat(value(Aggregation.LAST, end, hour)).isEqualTo(3.0);
        assertThat(value(Aggregation.P50, end, hour)).isEqualTo(3.0);
        assertThat(value(Aggregation.P95, end, hour)).isCloseTo(4.8, within(1e-9));
        assertThat(value(Aggregation.P99, end, hour)).isCloseTo(4.96, within(1e-9));

        AggregationResult result = db.engine().queryAggregated("px", T0, end, hour, Aggregation.SUM);
        assertThat(result.source()).isEqualTo("samples");
        assertThat(result.buckets())
                .containsExactly(new Bucket(T0, 15.0), new Bucket(T0.plus(1, ChronoUnit.HOURS), 10.0));
        assertThat(db.engine()
                        .queryAggregated("px", T0, end, hour, Aggregation.SUM, Map.of("s", "1"))
                        .buckets())
                .containsExactly(new Bucket(T0, 3.0));
    }

    private double value(Aggregation agg, Instant end, Duration bucket) {
        return db.engine()
                .queryAggregated("px", T0, end, bucket, agg)
                .buckets()
                .get(0)
                .value();
    }

    @Test
    void bufferedPointsAreCommittedByFlushBufferWhichCountsThem() throws Exception {
        // Hold the writer at its first COPY, so that nothing is committed before flushBuffer() is called.
        try (var c = db.connect();
                var st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("LOCK TABLE " + db.schema() + ".samples IN ACCESS EXCLUSIVE MODE");
            for (int i = 0; i < 500; i++) {
                assertThat(db.engine()
                                .bufferMetric(MetricPoint.of("buffered", i).at(T0.plusMillis(i))))
                        .isTrue();
            }
            var flushed = java.util.concurrent.CompletableFuture.supplyAsync(db.engine()::flushBuffer);
            assertThat(db.engine().ingestionStats().committed()).isZero();
            c.rollback();

            assertThat(flushed.get(20, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(500);
        }
        assertThat(db.queryLong("SELECT count(*) FROM " + db.schema() + ".metrics WHERE metric_name = 'buffered'"))
                .isEqualTo(500);
        assertThat(db.engine().ingestionStats().committed()).isEqualTo(500);
    }

    @Test
    void seriesHandleRecordsWithoutWaitingAndFlushMakesItDurable() {
        MetricSeries pnl = db.engine().series("pnl_usd", Map.of("strategy", "mm"));
        assertThat(db.engine().series("pnl_usd", Map.of("strategy", "mm")).name())
                .isEqualTo("pnl_usd");
        long t = T0.toEpochMilli() * 1_000;
        for (int i = 0; i < 1_000; i++) {
            assertThat(pnl.record(i, t + i)).isTrue();
        }
        db.engine().flushBuffer();

        assertThat(db.queryLong("SELECT count(*) FROM " + db.schema() + ".samples"))
                .isEqualTo(1_000);
        assertThat(db.queryDouble(
                        "SELECT sum(value) FROM " + db.schema() + ".metrics WHERE labels->>'strategy' = 'mm'"))
                .isEqualTo(499_500.0);
        assertThat(db.queryLong("SELECT count(*) FROM " + db.schema() + ".series"))
                .isEqualTo(1);
    }

    @Test
    void nonFiniteValueOnTheHotPathIsDroppedAndCounted() {
        MetricSeries s = db.engine().series("hot", Map.of());

        assertThat(s.record(Double.NaN)).isFalse();
        assertThat(s.record(Double.POSITIVE_INFINITY)).isFalse();
        assertThat(s.record(-1, -5)).isFalse();
        assertThat(db.engine().ingestionStats().droppedInvalid()).isEqualTo(3);
    }

    @Test
    void fullBufferRefusesWithoutBlockingAndCounts() {
        // A database that never answers: the writer's first batch hangs, so the ring fills up.
        db.replaceEngine(b -> b.setMaxBufferSize(64).setBatchSize(8));
        try (var c = db.connect();
                var st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("LOCK TABLE " + db.schema() + ".samples IN ACCESS EXCLUSIVE MODE");
            MetricSeries s = db.engine().series("full", Map.of());
            int accepted = 0;
            long start = System.nanoTime();
            for (int i = 0; i < 1_000; i++) {
                if (s.record(i, T0.toEpochMilli() * 1000 + i)) {
                    accepted++;
                }
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            assertThat(accepted).isLessThan(1_000);
            assertThat(db.engine().ingestionStats().droppedFull()).isEqualTo(1_000 - accepted);
            c.rollback();
            db.engine().flushBuffer();
            assertThat(db.queryLong("SELECT count(*) FROM " + db.schema() + ".samples"))
                    .isEqualTo(accepted);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void queryOverMaxResultsFailsInsteadOfTruncating() {
        db.replaceEngine(b -> b.setMaxResults(10));
        List<MetricPoint> points = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            points.add(MetricPoint.of("many", i).at(T0.plusSeconds(i)));
        }
        db.engine().insertMetricsBatch(points);

        assertThat(db.engine().queryMetrics("many", T0, T0.plusSeconds(10), null))
                .hasSize(10);
        assertThatThrownBy(() -> db.engine().queryMetrics("many", T0, T0.plusSeconds(11), null))
                .isInstanceOf(QueryLimitExceededException.class)
                .hasMessage("query matched more than query.max_results=10 rows; narrow the time range or the label "
                        + "filter, or raise query.max_results");
    }

    @Test
    void cacheServesRepeatedQueriesOverClosedRangesOnly() {
        db.replaceEngine(b -> b.setEnableCache(true).setCacheTtlSec(3_600));
        db.engine().insertMetric(MetricPoint.of("cached", 1).at(T0));
        Instant future = Instant.now().plus(1, ChronoUnit.DAYS);
        assertThat(db.engine().queryMetrics("cached", T0, T0.plusSeconds(60), null))
                .hasSize(1);
        assertThat(db.engine().queryMetrics("cached", T0, future, null)).hasSize(1);

        db.engine().insertMetric(MetricPoint.of("cached", 2).at(T0.plusSeconds(1)));

        assertThat(db.engine().queryMetrics("cached", T0, T0.plusSeconds(60), null))
                .as("closed range: cached")
                .hasSize(1);
        assertThat(db.engine().queryMetrics("cached", T0, future, null))
                .as("open range: fresh")
                .hasSize(2);
    }

    @Test
    void closeFlushesBufferedPointsAndIsIdempotent() {
        db.replaceEngine(b -> b.setFlushIntervalMs(3_600_000));
        for (int i = 0; i < 100; i++) {
            db.engine().bufferMetric(MetricPoint.of("at_close", i).at(T0.plusMillis(i)));
        }

        db.engine().close();
        db.engine().close();

        assertThat(db.queryLong("SELECT count(*) FROM " + db.schema() + ".metrics WHERE metric_name = 'at_close'"))
                .isEqualTo(100);
        assertThatThrownBy(() -> db.engine().insertMetric(MetricPoint.of("x", 1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("StorageEngine is closed");
    }

    @Test
    void poolStatusReportsTheConfiguredMaximum() {
        PoolStatus status = db.engine().poolStatus();

        assertThat(status.max()).isEqualTo(4);
        assertThat(status.total()).isBetween(1, 4);
    }

    @Test
    void capabilitiesDetectTheApacheEdition() {
        assertThat(db.engine().capabilities().tier()).isIn(TimescaleTier.APACHE, TimescaleTier.COMMUNITY);
        assertThat(db.engine().capabilities().timescaleVersion()).isNotBlank();
        assertThat(db.engine().capabilities().describe()).startsWith("PostgreSQL ");
    }

    @Test
    void seedShapedMetricsViewKeepsWorking() {
        db.engine()
                .insertMetric(MetricPoint.of("seed_view", 7).withLabel("k", "v").at(T0));

        assertThat(db.queryString("SELECT metric_name || ' ' || value || ' ' || (labels->>'k') FROM " + db.schema()
                        + ".metrics WHERE \"timestamp\" = '2026-01-05T10:00:00Z'"))
                .isEqualTo("seed_view 7 v");
    }

    @Test
    void manySeriesInOneBatchAreResolvedInBulk() {
        List<MetricPoint> points = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            Map<String, String> labels = new HashMap<>();
            labels.put("id", String.valueOf(i));
            points.add(MetricPoint.of("wide", i).withLabels(labels).at(T0));
        }
        db.engine().insertMetricsBatch(points);

        assertThat(db.queryLong("SELECT count(*) FROM " + db.schema() + ".series"))
                .isEqualTo(5_000);
        assertThat(db.queryLong("SELECT count(DISTINCT series_id) FROM " + db.schema() + ".samples"))
                .isEqualTo(5_000);
    }
}
