package io.agstorage.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agstorage.core.retention.RetentionManager;
import io.agstorage.core.retention.RetentionReport;
import io.agstorage.core.retention.RetentionReport.TableRetention;
import io.agstorage.core.testing.DatabaseExtension;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Retention without extra code, on the Apache tier: an engine created from a configuration runs the retention
 * scheduler itself ({@code retention.*}), and retention covers every table that grows: {@code exemplars} past the
 * metrics retention, and {@code series} with nothing left that no writer holds.
 */
class EngineRetentionIT {

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("eng_ret");

    private String t(String table) {
        return db.table(table);
    }

    /** One sample per series every hour in {@code [from, to)}. */
    private static void load(StorageEngine engine, MetricSeries series, Instant from, Instant to) throws Exception {
        SampleBatch batch = new SampleBatch(4_096);
        for (Instant t = from; t.isBefore(to); t = t.plus(Duration.ofHours(1))) {
            batch.add(series, TimeUnit.SECONDS.toMicros(t.getEpochSecond()), 1.0);
            if (batch.size() >= 4_000) {
                engine.submit(batch).get(60, TimeUnit.SECONDS);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            engine.submit(batch).get(60, TimeUnit.SECONDS);
        }
    }

    private long seriesCount(String metric) {
        return db.queryLong("SELECT count(*) FROM " + t("series") + " WHERE metric = '" + metric + "'");
    }

    /**
     * Loads, with an engine that runs no retention: a live series (100 days of samples up to now), a series whose
     * samples are all past retention and that no writer used for 2 days, an unused series without any data but seen
     * an hour ago, and exemplars 100 days and 1 day old. Returns the live series' samples newer than 90 days.
     */
    private long loadOldAndNewData() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.HOURS);
        try (StorageEngine loader = StorageEngine.create(db.config().build())) {
            assertThat(loader.retentionScheduler()).isNull();
            load(loader, loader.series("live", Map.of()), now.minus(Duration.ofDays(100)), now);
            load(
                    loader,
                    loader.series("gone", Map.of()),
                    now.minus(Duration.ofDays(100)),
                    now.minus(Duration.ofDays(95)));
            loader.series("idle", Map.of());
            loader.insertMetric(MetricPoint.of("idle", 1.0).at(now.minus(Duration.ofDays(1))));
        }
        db.execute("DELETE FROM " + t("samples") + " WHERE series_id = (SELECT id FROM " + t("series")
                + " WHERE metric = 'idle')");
        db.execute(
                "UPDATE " + t("series") + " SET seen_at = now() - INTERVAL '2 days' WHERE metric IN ('live', 'gone')");
        db.execute("UPDATE " + t("series") + " SET seen_at = now() - INTERVAL '1 hour' WHERE metric = 'idle'");
        // As if the rollups had been kept since two days ago: 'gone' never reached them (a series with rollup rows is
        // kept as long as they are).
        db.execute("INSERT INTO " + t("rollup_watermarks") + " (rollup, watermark) SELECT r, now() - INTERVAL '2 days' "
                + "FROM unnest(ARRAY['metrics_hourly', 'metrics_daily']) r ON CONFLICT (rollup) DO UPDATE SET "
                + "watermark = EXCLUDED.watermark");
        db.execute("INSERT INTO " + t("exemplars") + " (time, series_id, value, trace_id) SELECT now() - d * INTERVAL "
                + "'1 day', id, 1.0, 'trace-' || d FROM " + t("series") + ", (VALUES (100), (1)) v(d) "
                + "WHERE metric = 'live'");
        return db.queryLong("SELECT count(*) FROM " + t("samples") + " WHERE time >= now() - INTERVAL '90 days'");
    }

    @Test
    void anEngineFromAConfigWithAShortIntervalPrunesOldRowsWithoutTheAppBuildingAnything() throws Exception {
        long recent = loadOldAndNewData();
        String oldSamples = "SELECT count(*) FROM " + t("samples") + " WHERE time < now() - INTERVAL '91 days'";
        assertThat(db.queryLong(oldSamples)).isPositive();

        try (StorageEngine engine = StorageEngine.create(db.config()
                .set("retention.enabled", "true")
                .set("retention.interval_sec", "1")
                .set("retention.initial_delay_sec", "0")
                .build())) {
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(db.queryLong(oldSamples)).isZero());
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(db.queryLong(
                                "SELECT count(*) FROM " + t("exemplars") + " WHERE time < now() - INTERVAL '90 days'"))
                        .as("exemplars past metrics_retention_days")
                        .isZero();
                assertThat(seriesCount("gone"))
                        .as("series with no samples left, unused 2 days")
                        .isZero();
            });
            assertThat(engine.retentionScheduler()).isNotNull();
            assertThat(engine.retentionScheduler().runsCompleted()).isPositive();
            assertThat(seriesCount("live")).as("series with samples").isOne();
            assertThat(seriesCount("idle"))
                    .as("series without data but seen within the grace period")
                    .isOne();
            assertThat(db.queryLong("SELECT count(*) FROM " + t("exemplars"))).isOne();
            assertThat(db.queryLong(
                            "SELECT count(*) FROM " + t("samples") + " WHERE time >= now() - INTERVAL '90 days'"))
                    .isEqualTo(recent);
        }
    }

    @Test
    void retentionEnabledFalseRunsNoScheduler() throws Exception {
        loadOldAndNewData();
        long before = db.queryLong("SELECT count(*) FROM " + t("samples"));
        try (StorageEngine engine = StorageEngine.create(db.config()
                .set("retention.enabled", "false")
                .set("retention.interval_sec", "1")
                .set("retention.initial_delay_sec", "0")
                .build())) {
            assertThat(engine.retentionScheduler()).isNull();
            await().during(Duration.ofSeconds(3))
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> db.queryLong("SELECT count(*) FROM " + t("samples")) == before
                            && seriesCount("gone") == 1
                            && db.queryLong("SELECT count(*) FROM " + t("exemplars")) == 2);
        }
    }

    @Test
    void theSchedulerStopsWhenTheEngineCloses() {
        StorageEngine engine = StorageEngine.create(db.config()
                .set("retention.enabled", "true")
                .set("retention.initial_delay_sec", "3600")
                .build());
        assertThat(engine.retentionScheduler().isRunning()).isTrue();
        assertThat(engine.retentionScheduler().interval()).isEqualTo(Duration.ofMinutes(15));
        engine.close();
        assertThat(engine.retentionScheduler().isRunning()).isFalse();
    }

    @Test
    void aSeriesAWriterStillHoldsIsNeverLeftWithoutItsRow() throws Exception {
        try (StorageEngine engine = StorageEngine.create(db.config().build())) {
            MetricSeries held = engine.series("held", Map.of());
            held.record(1.0);
            engine.flushBuffer();
            long firstId = held.ref().id();
            // Its data goes (as retention drops old chunks) while this engine keeps its id cached.
            db.execute("DELETE FROM " + t("samples"));
            RetentionManager retention = RetentionManager.create(engine);
            assertThat(rowsRemoved(retention.runRetention(), "series"))
                    .as("resolved a moment ago: within the grace period")
                    .isZero();
            assertThat(seriesCount("held")).isOne();

            // Unused for longer than the grace period, in the database's and in this JVM's clock.
            db.execute("UPDATE " + t("series") + " SET seen_at = now() - INTERVAL '25 hours'");
            held.ref().resolved(firstId, System.nanoTime() - TimeUnit.MINUTES.toNanos(16));
            assertThat(rowsRemoved(retention.runRetention(), "series")).isOne();
            assertThat(seriesCount("held")).isZero();

            held.record(2.0);
            engine.flushBuffer();
            assertThat(db.queryLong("SELECT count(*) FROM " + t("samples") + " s JOIN " + t("series")
                            + " r ON r.id = s.series_id WHERE r.metric = 'held'"))
                    .as("the new sample belongs to a series row")
                    .isOne();
            assertThat(db.queryLong("SELECT count(*) FROM " + t("series")
                            + " WHERE metric = 'held' AND seen_at > now() - INTERVAL '1 minute'"))
                    .isOne();
        }
    }

    @Test
    void aResolveMarksAnExistingSeriesAsSeenAgain() throws Exception {
        try (StorageEngine engine = StorageEngine.create(db.config().build())) {
            MetricSeries s = engine.series("seen", Map.of());
            s.record(1.0);
            engine.flushBuffer();
            db.execute("UPDATE " + t("series") + " SET seen_at = now() - INTERVAL '3 hours'");
            s.record(2.0);
            engine.flushBuffer();
            assertThat(db.queryLong(
                            "SELECT count(*) FROM " + t("series") + " WHERE seen_at < now() - INTERVAL '1 hour'"))
                    .as("an id resolved less than 15 minutes ago is used as it is")
                    .isOne();
            s.ref().resolved(s.ref().id(), System.nanoTime() - TimeUnit.MINUTES.toNanos(16));
            s.record(3.0);
            engine.flushBuffer();
            assertThat(db.queryLong(
                            "SELECT count(*) FROM " + t("series") + " WHERE seen_at > now() - INTERVAL '1 minute'"))
                    .isOne();
            assertThat(db.queryLong("SELECT count(DISTINCT series_id) FROM " + t("samples")))
                    .isOne();
        }
    }

    private static long rowsRemoved(RetentionReport report, String table) {
        return report.tables().stream()
                .filter(r -> r.table().equals(table))
                .mapToLong(TableRetention::rowsRemoved)
                .sum();
    }
}
