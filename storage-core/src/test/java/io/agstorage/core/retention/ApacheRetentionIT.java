package io.agstorage.core.retention;

import static io.agstorage.core.retention.RetentionData.METRIC;
import static io.agstorage.core.retention.RetentionData.dayFloor;
import static io.agstorage.core.retention.RetentionData.hourFloor;
import static io.agstorage.core.retention.RetentionData.rawAggregate;
import static io.agstorage.core.retention.RetentionData.symmetricDifference;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agstorage.core.Aggregation;
import io.agstorage.core.AggregationResult;
import io.agstorage.core.MetricSeries;
import io.agstorage.core.StorageEngine;
import io.agstorage.core.TimescaleTier;
import io.agstorage.core.retention.RetentionReport.RollupRefresh;
import io.agstorage.core.retention.RetentionReport.TableRetention;
import io.agstorage.core.testing.DatabaseExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Retention and rollups on the Apache edition (the real PostgreSQL 15 + TimescaleDB 2.19 Apache server). */
class ApacheRetentionIT {

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("ret_apache");

    private static String q(String schema) {
        return "\"" + schema + "\"";
    }

    @Test
    void aRunDropsExactlyTheChunksPastRetentionAfterRollingThemUpAndASecondRunIsANoOp() throws Exception {
        String schema = db.schema();
        try (StorageEngine engine =
                StorageEngine.create(db.config().setMetricsRetentionDays(90).build())) {
            assertThat(engine.capabilities().tier()).isEqualTo(TimescaleTier.APACHE);
            Instant end = hourFloor(Instant.now()).minus(Duration.ofHours(2));
            Instant start = end.minus(Duration.ofDays(120));
            MetricSeries[] series = RetentionData.series(engine, 3);
            long loaded = RetentionData.load(engine, series, start, end, Duration.ofMinutes(30));
            assertThat(db.queryLong("SELECT count(*) FROM " + q(schema) + ".samples"))
                    .isEqualTo(loaded)
                    .isEqualTo(3L * 120 * 48);

            String old = "FROM timescaledb_information.chunks WHERE hypertable_schema = '" + schema
                    + "' AND hypertable_name = 'samples' " + "AND range_end <= now() - INTERVAL '90 days'";
            long expectedChunks = db.queryLong("SELECT count(*) " + old);
            String boundary = db.queryString("SELECT max(range_end) " + old);
            long expectedRows =
                    db.queryLong("SELECT count(*) FROM " + q(schema) + ".samples WHERE time < '" + boundary + "'");
            String newer = "SELECT count(*) || '/' || sum(value) || '/' || min(time) FROM " + q(schema)
                    + ".samples WHERE time >= '" + boundary + "'";
            String newerBefore = db.queryString(newer);

            RetentionManager retention = RetentionManager.create(engine);
            RetentionReport report = retention.runRetention();

            TableRetention samples = report.tables().stream()
                    .filter(t -> t.table().equals("samples"))
                    .findFirst()
                    .orElseThrow();
            assertThat(expectedChunks).isBetween(29L, 31L);
            assertThat(samples.chunksDropped()).isEqualTo((int) expectedChunks);
            assertThat(samples.rowsRemoved()).isEqualTo(expectedRows).isPositive();
            assertThat(samples.retentionDays()).isEqualTo(90);
            assertThat(db.queryLong("SELECT count(*) " + old))
                    .as("chunks entirely past retention")
                    .isZero();
            assertThat(db.queryLong("SELECT count(*) FROM " + q(schema) + ".samples WHERE time < '" + boundary + "'"))
                    .isZero();
            assertThat(db.queryString(newer))
                    .as("rows newer than the dropped chunks, untouched")
                    .isEqualTo(newerBefore);
            assertThat(db.queryLong("SELECT count(*) FROM " + q(schema) + ".samples"))
                    .isEqualTo(loaded - expectedRows);
            // with the execution recorder on the class path its tables follow: ApacheExecutionRetentionIT
            assertThat(report.tables())
                    .extracting(TableRetention::table)
                    .containsExactly("samples", "histograms", "exemplars", "series");

            // rolled up before the drop: every hour of the 120 days, 3 series
            RollupRefresh hourly = report.rollups().stream()
                    .filter(r -> r.rollup().equals("metrics_hourly"))
                    .findFirst()
                    .orElseThrow();
            assertThat(hourly.rowsWritten()).hasValue(3L * 120 * 24);
            assertThat(db.queryLong(
                            "SELECT count(*) FROM " + q(schema) + ".metrics_hourly WHERE bucket < '" + boundary + "'"))
                    .as("rollups outlive the raw data")
                    .isEqualTo(3L
                            * Duration.between(
                                            start,
                                            java.time.OffsetDateTime.parse(boundary.replace(' ', 'T')
                                                            .replaceAll("\\+00$", "+00:00"))
                                                    .toInstant())
                                    .toHours());
            for (String rollup : new String[] {"metrics_hourly", "metrics_daily"}) {
                String grain = rollup.equals("metrics_hourly") ? "1 hour" : "1 day";
                assertThat(symmetricDifference(
                                db,
                                "SELECT time_bucket('" + grain
                                        + "', time), series_id, count(*), sum(value), min(value), max(value), "
                                        + "min(time), "
                                        + "first(value, time), max(time), last(value, time) FROM " + q(schema)
                                        + ".samples WHERE time >= '" + boundary
                                        + "' AND time < time_bucket('" + grain + "', now()) GROUP BY 1, 2",
                                "SELECT bucket, series_id, sample_count, value_sum, value_min, value_max, "
                                        + "time_first, value_first, time_last, "
                                        + "value_last FROM " + q(schema) + "." + rollup + " WHERE bucket >= '"
                                        + boundary + "'"))
                        .as(rollup + " equals the raw aggregate")
                        .isZero();
            }
            assertThat(report.chunksCompressed()).isZero();
            assertThat(report.compressionUnavailable()).contains("Apache 2 edition");

            RetentionReport second = retention.runRetention();

            assertThat(second.isNoOp()).as(second.summary()).isTrue();
            assertThat(second.totalChunksDropped()).isZero();
            assertThat(second.rollups())
                    .allSatisfy(r -> assertThat(r.rowsWritten()).hasValue(0));
            assertThat(db.queryString(newer)).isEqualTo(newerBefore);
        }
    }

    @Test
    void queryAggregatedAnswersFromTheRollupsWhenExactAndTheAnswersEqualTheRawTable() throws Exception {
        String schema = db.schema();
        try (StorageEngine engine = StorageEngine.create(db.config().build())) {
            Instant end = hourFloor(Instant.now()).minus(Duration.ofHours(2));
            MetricSeries[] series = RetentionData.series(engine, 3);
            RetentionData.load(engine, series, end.minus(Duration.ofDays(10)), end, Duration.ofMinutes(10));
            Instant to = dayFloor(end);
            Instant from = to.minus(Duration.ofDays(7));

            assertThat(engine.queryAggregated(METRIC, from, to, Duration.ofHours(1), Aggregation.AVG)
                            .source())
                    .as("before any rollup refresh")
                    .isEqualTo("samples");

            RetentionManager.create(engine).runRetention();

            for (Aggregation agg : new Aggregation[] {
                Aggregation.AVG,
                Aggregation.MIN,
                Aggregation.MAX,
                Aggregation.SUM,
                Aggregation.COUNT,
                Aggregation.FIRST,
                Aggregation.LAST
            }) {
                // the series share timestamps, so FIRST / LAST over all of them would pick among ties: one series
                Map<String, String> labels =
                        agg == Aggregation.FIRST || agg == Aggregation.LAST ? Map.of("shard", "s2") : Map.of();
                AggregationResult hourly = engine.queryAggregated(METRIC, from, to, Duration.ofHours(1), agg, labels);
                assertThat(hourly.source()).as(agg + " hourly").isEqualTo("metrics_hourly");
                assertThat(hourly.buckets())
                        .as(agg + " hourly")
                        .hasSize(7 * 24)
                        .containsExactlyElementsOf(
                                rawAggregate(db, schema, from, to, Duration.ofHours(1), agg, labels));

                AggregationResult daily = engine.queryAggregated(METRIC, from, to, Duration.ofDays(1), agg, labels);
                assertThat(daily.source()).as(agg + " daily").isEqualTo("metrics_daily");
                assertThat(daily.buckets())
                        .as(agg + " daily")
                        .hasSize(7)
                        .containsExactlyElementsOf(rawAggregate(db, schema, from, to, Duration.ofDays(1), agg, labels));
            }
            AggregationResult sixHours = engine.queryAggregated(
                    METRIC, from, to, Duration.ofHours(6), Aggregation.AVG, Map.of("shard", "s1"));
            assertThat(sixHours.source()).isEqualTo("metrics_hourly");
            assertThat(sixHours.buckets())
                    .containsExactlyElementsOf(rawAggregate(
                            db, schema, from, to, Duration.ofHours(6), Aggregation.AVG, Map.of("shard", "s1")));

            assertThat(engine.queryAggregated(METRIC, from, to, Duration.ofHours(1), Aggregation.P99)
                            .source())
                    .as("percentiles from the rollup's sketches (RollupPercentilesIT checks their error)")
                    .isEqualTo("metrics_hourly");
            assertThat(engine.queryAggregated(METRIC, from.plusSeconds(60), to, Duration.ofHours(1), Aggregation.AVG)
                            .source())
                    .as("start inside an hour")
                    .isEqualTo("samples");
            assertThat(engine.queryAggregated(METRIC, from, to, Duration.ofMinutes(90), Aggregation.AVG)
                            .source())
                    .as("bucket not a multiple of an hour")
                    .isEqualTo("samples");
            Instant beyond = hourFloor(Instant.now()).plus(Duration.ofHours(1));
            AggregationResult uncovered =
                    engine.queryAggregated(METRIC, from, beyond, Duration.ofHours(1), Aggregation.AVG);
            assertThat(uncovered.source()).as("range past the watermark").isEqualTo("samples");
            assertThat(uncovered.buckets())
                    .containsExactlyElementsOf(
                            rawAggregate(db, schema, from, beyond, Duration.ofHours(1), Aggregation.AVG));
        }
    }

    @Test
    void lateDataInsideTheWindowIsReaggregatedAndOlderBackfillsNeedAnExplicitRefresh() throws Exception {
        String schema = db.schema();
        try (StorageEngine engine = StorageEngine.create(db.config().build())) {
            Instant end = hourFloor(Instant.now()).minus(Duration.ofHours(2));
            MetricSeries[] series = RetentionData.series(engine, 2);
            RetentionData.load(engine, series, end.minus(Duration.ofDays(4)), end, Duration.ofMinutes(15));
            RetentionManager retention = RetentionManager.builder(engine)
                    .setLateDataWindow(Duration.ofDays(1))
                    .build();
            retention.runRetention();
            String raw =
                    "SELECT time_bucket('1 hour', time), series_id, count(*), sum(value), min(value), max(value) FROM "
                            + q(schema) + ".samples WHERE time < time_bucket('1 hour', now()) GROUP BY 1, 2";
            String rollup = "SELECT bucket, series_id, sample_count, value_sum, value_min, value_max FROM " + q(schema)
                    + ".metrics_hourly";
            assertThat(symmetricDifference(db, raw, rollup)).isZero();

            Instant late = end.minus(Duration.ofHours(3)).plusSeconds(7 * 60);
            series[0].record(100.0, RetentionData.micros(late));
            engine.flushBuffer();
            RetentionReport report = retention.runRetention();

            assertThat(report.rollups().stream()
                            .filter(r -> r.rollup().equals("metrics_hourly"))
                            .findFirst()
                            .orElseThrow()
                            .rowsWritten())
                    .as("only the late sample's bucket is rewritten")
                    .hasValue(1);
            assertThat(symmetricDifference(db, raw, rollup)).isZero();

            Instant backfill = end.minus(Duration.ofDays(3));
            series[1].record(-5.0, RetentionData.micros(backfill.plusSeconds(1)));
            engine.flushBuffer();
            retention.runRetention();
            assertThat(symmetricDifference(db, raw, rollup))
                    .as("older than the late-data window: not looked at again")
                    .isEqualTo(2);

            assertThat(retention.refreshRollups(backfill, backfill.plus(Duration.ofHours(1))))
                    .isPositive();
            assertThat(symmetricDifference(db, raw, rollup)).isZero();
        }
    }

    @Test
    void storageStatsCountRowsAndBytesAndCompressionIsReportedUnavailable() throws Exception {
        String schema = db.schema();
        try (StorageEngine engine = StorageEngine.create(db.config().build())) {
            Instant end = hourFloor(Instant.now()).minus(Duration.ofHours(2));
            long loaded = RetentionData.load(
                    engine, RetentionData.series(engine, 2), end.minus(Duration.ofDays(3)), end, Duration.ofMinutes(1));
            RetentionManager retention = RetentionManager.create(engine);
            retention.runRetention();

            StorageStats stats = retention.getStorageStats();

            StorageStats.TableStats samples = stats.table("samples");
            assertThat(samples).isNotNull();
            assertThat(samples.kind()).isEqualTo("hypertable");
            assertThat(samples.rows()).isEqualTo(loaded);
            assertThat(samples.tableBytes()).isPositive();
            assertThat(samples.indexBytes()).isPositive();
            assertThat(samples.compressionEnabled()).isFalse();
            assertThat(samples.chunks()).isBetween(3, 4);
            assertThat(samples.totalBytes())
                    .isEqualTo(db.queryLong("SELECT hypertable_size('" + q(schema) + ".samples')"));
            assertThat(stats.table("series").rows()).isEqualTo(2);
            assertThat(stats.table("metrics_hourly").kind()).isEqualTo("table");
            assertThat(stats.table("metrics_hourly").rows())
                    .isEqualTo(db.queryLong("SELECT count(*) FROM " + q(schema) + ".metrics_hourly"));
            assertThat(stats.totalBytes())
                    .isEqualTo(stats.tables().stream()
                            .mapToLong(StorageStats.TableStats::totalBytes)
                            .sum());
            assertThat(stats.totalSizeGb()).isEqualTo(stats.totalBytes() / (1024.0 * 1024 * 1024));

            CompressionStatus compression = retention.checkCompressionStatus();
            assertThat(compression.available()).isFalse();
            assertThat(compression.unavailableReason())
                    .contains("Apache 2 edition")
                    .contains("timescaledb.license = apache");
            assertThat(compression.compressionRatio()).isEmpty();
            assertThat(compression.describe()).startsWith("compression unavailable: ");
            assertThat(retention.compressOldData()).isZero();
        }
    }

    @Test
    void badSettingsAreRefusedNamingTheKeyTheRuleAndTheValue() {
        String schema = db.schema();
        try (StorageEngine engine = StorageEngine.create(db.config()
                .setMetricsRetentionDays(2)
                .setCompressionAfterDays(1)
                .build())) {
            assertThatThrownBy(() -> RetentionManager.builder(engine).setLateDataWindow(Duration.ofSeconds(30)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("retention.late_data_window must be at least 1 minute, was PT30S");
            assertThatThrownBy(() -> RetentionManager.builder(engine)
                            .setLateDataWindow(Duration.ofDays(2))
                            .build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("retention.late_data_window must be shorter than retention.metrics_retention_days (2 "
                            + "days), was PT48H");
            assertThatThrownBy(() -> RetentionManager.builder(engine).setMetricsRetentionDays(0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("retention.metrics_retention_days must be between 1 and 36500, was 0");
            RetentionManager retention = RetentionManager.create(engine);
            assertThatThrownBy(() -> retention.refreshRollups(Instant.EPOCH.plusSeconds(1), Instant.EPOCH))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("to must not be before from, was from=1970-01-01T00:00:01Z, to=1970-01-01T00:00:00Z");
            assertThatThrownBy(() -> RetentionScheduler.builder(retention).setInterval(Duration.ofMillis(10)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("retention.interval must be at least 100 ms, was PT0.01S");
        }
    }

    @Test
    void refreshingRollupsOverDroppedRawDataKeepsTheRollup() throws Exception {
        String schema = db.schema();
        try (StorageEngine engine =
                StorageEngine.create(db.config().setMetricsRetentionDays(30).build())) {
            Instant end = hourFloor(Instant.now()).minus(Duration.ofHours(2));
            Instant start = end.minus(Duration.ofDays(45));
            MetricSeries[] series = RetentionData.series(engine, 1);
            RetentionData.load(engine, series, start, end, Duration.ofHours(1));
            RetentionManager retention = RetentionManager.create(engine);
            retention.runRetention();
            String oldestRaw = db.queryString("SELECT min(time) FROM " + q(schema) + ".samples");
            String rollups = "SELECT (SELECT count(*) || '/' || sum(value_sum) FROM " + q(schema)
                    + ".metrics_hourly) || ' ' || (SELECT count(*) || '/' || sum(value_sum) FROM " + q(schema)
                    + ".metrics_daily)";
            String before = db.queryString(rollups);
            assertThat(db.queryLong(
                            "SELECT count(*) FROM " + q(schema) + ".metrics_hourly WHERE bucket < '" + oldestRaw + "'"))
                    .as("hours rolled up before retention dropped their raw rows")
                    .isGreaterThan(24L * 10);

            retention.refreshRollups(start, dayFloor(end)); // whole days: the open one is not rolled up yet

            assertThat(db.queryString(rollups))
                    .as("a refresh over raw data retention dropped keeps the rollup rows there")
                    .isEqualTo(before);
        }
    }
}
