package io.agstorage.core.retention;

import static io.agstorage.core.retention.RetentionData.METRIC;
import static io.agstorage.core.retention.RetentionData.dayFloor;
import static io.agstorage.core.retention.RetentionData.hourFloor;
import static io.agstorage.core.retention.RetentionData.rawAggregate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.agstorage.core.Aggregation;
import io.agstorage.core.AggregationResult;
import io.agstorage.core.MetricRow;
import io.agstorage.core.MetricSeries;
import io.agstorage.core.StorageEngine;
import io.agstorage.core.TimescaleTier;
import io.agstorage.core.testing.DatabaseExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Native policies, compression and continuous aggregates on the TSL tier (the WASM server: no background workers). */
class TslRetentionIT {

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.tsl("tsl_ret");

    private String job(String schema, String relation, String proc, String key) {
        return db.queryString("SELECT string_agg(job_id || ':' || (config->>'" + key
                + "')::interval, ',') FROM timescaledb_information.jobs " + "WHERE hypertable_schema = '" + schema
                + "' AND hypertable_name = '" + relation + "' AND proc_name = '" + proc + "'");
    }

    @Test
    void policiesFollowTheConfigAndChangingAnIntervalReplacesThePolicyWithoutDuplicates() {
        String schema = db.schema();
        try (StorageEngine engine = StorageEngine.create(db.config()
                .setMetricsRetentionDays(30)
                .setExecutionRetentionDays(365)
                .setCompressionAfterDays(7)
                .build())) {
            assertThat(engine.capabilities().tier()).isEqualTo(TimescaleTier.COMMUNITY);
            RetentionManager.create(engine);

            String retention = job(schema, "samples", "policy_retention", "drop_after");
            assertThat(retention).matches("\\d+:30 days");
            assertThat(job(schema, "histograms", "policy_retention", "drop_after"))
                    .matches("\\d+:30 days");
            // the execution recorder's tables get theirs only with it on the class path: TslExecutionRetentionIT
            assertThat(db.queryLong("SELECT count(*) FROM timescaledb_information.jobs WHERE hypertable_schema = '"
                            + schema + "' AND hypertable_name IN ('order_events', 'fills', 'positions')"))
                    .isZero();
            assertThat(job(schema, "samples", "policy_compression", "compress_after"))
                    .matches("\\d+:7 days");
            assertThat(job(schema, "metrics_hourly", "policy_refresh_continuous_aggregate", "start_offset"))
                    .matches("\\d+:1 day 01:00:00");
            assertThat(job(schema, "metrics_daily", "policy_refresh_continuous_aggregate", "start_offset"))
                    .matches("\\d+:3 days");
            assertThat(job(schema, "metrics_daily", "policy_refresh_continuous_aggregate", "end_offset"))
                    .matches("\\d+:1 day");
            assertThat(db.queryString("SELECT segmentby || '/' || orderby FROM "
                            + "timescaledb_information.hypertable_compression_settings WHERE hypertable = '\""
                            + schema + "\".samples'::regclass"))
                    .isEqualTo("series_id/\"time\" DESC");
            long jobs = db.queryLong(
                    "SELECT count(*) FROM timescaledb_information.jobs WHERE hypertable_schema = '" + schema + "'");
            assertThat(jobs).isEqualTo(2 * 2 + 2 + 1); // + the retention of exemplars

            RetentionManager.create(engine); // a restart with the same settings

            assertThat(job(schema, "samples", "policy_retention", "drop_after")).isEqualTo(retention);
            assertThat(db.queryLong("SELECT count(*) FROM timescaledb_information.jobs WHERE hypertable_schema = '"
                            + schema + "'"))
                    .isEqualTo(jobs);

            RetentionManager.builder(engine)
                    .setMetricsRetentionDays(45)
                    .setLateDataWindow(Duration.ofDays(2))
                    .build();

            assertThat(job(schema, "samples", "policy_retention", "drop_after"))
                    .matches("\\d+:45 days")
                    .isNotEqualTo(retention);
            assertThat(job(schema, "histograms", "policy_retention", "drop_after"))
                    .matches("\\d+:45 days");
            assertThat(job(schema, "metrics_hourly", "policy_refresh_continuous_aggregate", "start_offset"))
                    .matches("\\d+:2 days 01:00:00");
            assertThat(db.queryLong("SELECT count(*) FROM timescaledb_information.jobs WHERE hypertable_schema = '"
                            + schema + "'"))
                    .isEqualTo(jobs);
        }
    }

    @Test
    void oldChunksAreCompressedWithTheSameAnswersAMeasuredRatioAndContinuousAggregatesAnswerRollupQueries()
            throws Exception {
        String schema = db.schema();
        try (StorageEngine engine = StorageEngine.create(db.config()
                .setMetricsRetentionDays(30)
                .setCompressionAfterDays(7)
                .build())) {
            Instant end = hourFloor(Instant.now()).minus(Duration.ofHours(2));
            MetricSeries[] series = RetentionData.series(engine, 2);
            long loaded =
                    RetentionData.load(engine, series, end.minus(Duration.ofDays(40)), end, Duration.ofMinutes(30));
            RetentionManager retention = RetentionManager.create(engine);

            Instant to = dayFloor(end).minus(Duration.ofDays(10));
            Instant from = to.minus(Duration.ofDays(7));
            List<MetricRow> rawBefore = engine.queryMetrics(METRIC, from, to, null);
            // one second past the day: not on the rollups' boundaries, so read from the raw (soon compressed) chunks
            AggregationResult p50Before =
                    engine.queryAggregated(METRIC, from.plusSeconds(1), to, Duration.ofDays(1), Aggregation.P50);
            assertThat(rawBefore).hasSize(2 * 7 * 48);
            assertThat(p50Before.source()).isEqualTo("samples");
            String uncompressed = "SELECT count(*) FROM timescaledb_information.chunks WHERE hypertable_schema = '"
                    + schema + "' AND hypertable_name = 'samples' AND NOT is_compressed AND range_end <= now() - "
                    + "INTERVAL '7 days'";
            long toCompress = db.queryLong(uncompressed);
            assertThat(toCompress).isBetween(32L, 34L);

            int compressed = retention.compressOldData();

            assertThat(compressed).isEqualTo(toCompress);
            assertThat(db.queryLong(uncompressed)).isZero();
            assertThat(engine.queryMetrics(METRIC, from, to, null))
                    .as("raw rows read from compressed chunks")
                    .isEqualTo(rawBefore);
            assertThat(engine.queryAggregated(METRIC, from.plusSeconds(1), to, Duration.ofDays(1), Aggregation.P50))
                    .isEqualTo(p50Before);
            assertThat(retention.compressOldData())
                    .as("nothing left to compress")
                    .isZero();

            CompressionStatus status = retention.checkCompressionStatus();
            assertThat(status.available()).isTrue();
            assertThat(status.unavailableReason()).isNull();
            CompressionStatus.TableCompression samples = status.tables().get(0);
            assertThat(samples.table()).isEqualTo("samples");
            assertThat(samples.enabled()).isTrue();
            assertThat(samples.chunksCompressed()).isEqualTo(compressed);
            assertThat(samples.chunksTotal())
                    .isEqualTo(db.queryLong("SELECT count(*) FROM timescaledb_information.chunks WHERE "
                            + "hypertable_schema = '" + schema + "' AND hypertable_name = 'samples'"));
            String stats = "FROM hypertable_compression_stats('\"" + schema + "\".samples')";
            assertThat(samples.bytesBefore())
                    .isEqualTo(db.queryLong("SELECT before_compression_total_bytes " + stats))
                    .isPositive();
            assertThat(samples.bytesAfter())
                    .isEqualTo(db.queryLong("SELECT after_compression_total_bytes " + stats))
                    .isPositive();
            assertThat(status.compressionRatio())
                    .hasValueCloseTo((double) samples.bytesBefore() / samples.bytesAfter(), within(1e-12));
            assertThat(status.describe()).contains(compressed + " of ");
            // bytes per sample: the rows of the compressed chunks, counted here by reading them back
            long rowsInCompressed = db.queryLong("SELECT count(*) FROM \"" + schema + "\".samples WHERE time < "
                    + "(SELECT max(range_end) FROM timescaledb_information.chunks WHERE hypertable_schema = '" + schema
                    + "' AND hypertable_name = 'samples' AND is_compressed)");
            assertThat(samples.rowsCompressed()).isEqualTo(rowsInCompressed).isPositive();
            assertThat(status.bytesPerSampleBefore())
                    .hasValueCloseTo((double) samples.bytesBefore() / rowsInCompressed, within(1e-9));
            assertThat(status.bytesPerSampleAfter())
                    .hasValueCloseTo((double) samples.bytesAfter() / rowsInCompressed, within(1e-9));
            assertThat(status.describe())
                    .endsWith(String.format(
                            java.util.Locale.ROOT,
                            ", %.1f -> %.1f bytes per sample",
                            (double) samples.bytesBefore() / rowsInCompressed,
                            (double) samples.bytesAfter() / rowsInCompressed));

            StorageStats storage = retention.getStorageStats();
            assertThat(storage.table("samples").rows()).isEqualTo(loaded);
            assertThat(storage.table("samples").compressionEnabled()).isTrue();
            assertThat(storage.table("samples").compressedChunks()).isEqualTo(compressed);
            assertThat(storage.table("metrics_hourly").kind()).isEqualTo("continuous aggregate");
            assertThat(storage.table("metrics_hourly").rows()).isEqualTo(2L * 40 * 24);

            // continuous aggregates answer hourly and daily queries, over compressed chunks too, equal to the raw table
            for (Aggregation agg : new Aggregation[] {
                Aggregation.AVG, Aggregation.MIN, Aggregation.MAX, Aggregation.SUM, Aggregation.COUNT
            }) {
                AggregationResult hourly = engine.queryAggregated(METRIC, from, to, Duration.ofHours(1), agg);
                assertThat(hourly.source()).isEqualTo("metrics_hourly");
                assertThat(hourly.buckets())
                        .as(agg + " hourly")
                        .hasSize(7 * 24)
                        .containsExactlyElementsOf(rawAggregate(db, schema, from, to, Duration.ofHours(1), agg));
                AggregationResult daily = engine.queryAggregated(METRIC, from, to, Duration.ofDays(1), agg);
                assertThat(daily.source()).isEqualTo("metrics_daily");
                assertThat(daily.buckets())
                        .as(agg + " daily")
                        .containsExactlyElementsOf(rawAggregate(db, schema, from, to, Duration.ofDays(1), agg));
            }
            AggregationResult last = engine.queryAggregated(
                    METRIC, from, to, Duration.ofHours(4), Aggregation.LAST, Map.of("shard", "s1"));
            assertThat(last.source()).isEqualTo("metrics_hourly");
            assertThat(last.buckets())
                    .containsExactlyElementsOf(rawAggregate(
                            db, schema, from, to, Duration.ofHours(4), Aggregation.LAST, Map.of("shard", "s1")));

            // real-time: a sample of the current hour shows in the rollup answer before any refresh
            Instant now = hourFloor(Instant.now());
            series[0].record(1_000.0, RetentionData.micros(now.plusMillis(1)));
            engine.flushBuffer();
            Instant recentFrom = now.minus(Duration.ofHours(6));
            Instant recentTo = now.plus(Duration.ofHours(1));
            AggregationResult recent =
                    engine.queryAggregated(METRIC, recentFrom, recentTo, Duration.ofHours(1), Aggregation.MAX);
            assertThat(recent.source()).isEqualTo("metrics_hourly");
            assertThat(recent.buckets())
                    .containsExactlyElementsOf(
                            rawAggregate(db, schema, recentFrom, recentTo, Duration.ofHours(1), Aggregation.MAX));
            assertThat(recent.buckets().get(recent.buckets().size() - 1).value())
                    .isEqualTo(1_000.0);

            // retention through the native policy, run now
            String old = "FROM timescaledb_information.chunks WHERE hypertable_schema = '" + schema
                    + "' AND hypertable_name = 'samples' " + "AND range_end <= now() - INTERVAL '30 days'";
            long expectedChunks = db.queryLong("SELECT count(*) " + old);
            long expectedRows = db.queryLong(
                    "SELECT count(*) FROM \"" + schema + "\".samples WHERE time < (SELECT max(range_end) " + old + ")");

            RetentionReport report = retention.runRetention();

            RetentionReport.TableRetention dropped = report.tables().stream()
                    .filter(t -> t.table().equals("samples"))
                    .findFirst()
                    .orElseThrow();
            assertThat(expectedChunks).isBetween(9L, 11L);
            assertThat(dropped.chunksDropped()).isEqualTo((int) expectedChunks);
            assertThat(dropped.rowsRemoved()).isEqualTo(expectedRows);
            assertThat(db.queryLong("SELECT count(*) " + old)).isZero();
            assertThat(report.rollups())
                    .extracting(RetentionReport.RollupRefresh::method)
                    .containsOnly("refresh policy");
            assertThat(report.compressionUnavailable()).isNull();
            assertThat(engine.queryMetrics(METRIC, from, to, null))
                    .as("inside retention: untouched")
                    .isEqualTo(rawBefore);
            assertThat(retention.runRetention().isNoOp()).isTrue();
        }
    }
}
