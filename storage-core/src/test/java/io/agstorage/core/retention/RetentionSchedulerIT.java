package io.agstorage.core.retention;

import static io.agstorage.core.retention.RetentionData.hourFloor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agstorage.core.StorageEngine;
import io.agstorage.core.retention.RetentionScheduler.Outcome;
import io.agstorage.core.retention.RetentionScheduler.Run;
import io.agstorage.core.retention.internal.RetentionLock;
import io.agstorage.core.testing.DatabaseExtension;
import io.agstorage.core.testing.TcpProxy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The scheduler against the real Apache-tier server: leader election across sessions (what separate JVMs get:
 * each engine has its own pool, so its own sessions), outages, stop, meters. Cross-connection concurrency is
 * tested here only: on the WASM server every connection shares one session and its advisory locks.
 */
class RetentionSchedulerIT {

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("ret_sched");

    @Test
    void ofTwoSchedulersOnOneDatabaseOneWorksWhileTheOtherSkipsAndNoWorkIsDoneTwice() throws Exception {
        String schema = db.schema();
        try (StorageEngine engineA = StorageEngine.create(
                        db.config().setMetricsRetentionDays(90).build());
                StorageEngine engineB = StorageEngine.create(
                        db.config().setMetricsRetentionDays(90).build())) {
            Instant end = hourFloor(Instant.now()).minus(Duration.ofHours(2));
            RetentionData.load(
                    engineA,
                    RetentionData.series(engineA, 2),
                    end.minus(Duration.ofDays(100)),
                    end,
                    Duration.ofHours(1));
            long expectedChunks =
                    db.queryLong("SELECT count(*) FROM timescaledb_information.chunks WHERE hypertable_schema = '"
                            + schema + "' AND hypertable_name = 'samples' AND range_end <= now() - INTERVAL '90 days'");
            assertThat(expectedChunks).isBetween(9L, 11L);
            RetentionScheduler a = RetentionScheduler.builder(RetentionManager.create(engineA))
                    .setInterval(Duration.ofHours(1))
                    .setInitialDelay(Duration.ofHours(1))
                    .build()
                    .start();
            RetentionScheduler b = RetentionScheduler.builder(RetentionManager.create(engineB))
                    .setInterval(Duration.ofHours(1))
                    .setInitialDelay(Duration.ofHours(1))
                    .build()
                    .start();
            try (Connection blocker = db.connect();
                    Statement st = blocker.createStatement()) {
                // holds A's run in the middle (its first rollup step waits to write the watermark) while it holds the
                // lock
                blocker.setAutoCommit(false);
                st.execute("LOCK TABLE \"" + schema + "\".rollup_watermarks IN EXCLUSIVE MODE");
                CompletableFuture<Run> runA = a.runNow();
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> db.queryLong("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                                                + "AND granted AND classid = " + RetentionLock.LOCK_CLASS
                                                + " AND objid = " + Integer.toUnsignedLong(schema.hashCode()))
                                        == 1
                                && db.queryLong("SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = '\""
                                                + schema + "\".rollup_watermarks'::regclass")
                                        == 1);

                Run skipped = b.runNow().get(30, TimeUnit.SECONDS);

                assertThat(skipped.outcome()).isEqualTo(Outcome.SKIPPED);
                assertThat(skipped.report()).isNull();
                assertThat(b.manager().tryRunRetention()).isEmpty();
                assertThat(runA).isNotDone();

                blocker.commit();
                Run worked = runA.get(60, TimeUnit.SECONDS);

                assertThat(worked.outcome()).as(String.valueOf(worked.error())).isEqualTo(Outcome.COMPLETED);
                assertThat(worked.report().totalChunksDropped()).isEqualTo((int) expectedChunks);
            }
            Run after = b.runNow().get(30, TimeUnit.SECONDS);

            assertThat(after.outcome()).isEqualTo(Outcome.COMPLETED);
            assertThat(after.report().isNoOp()).as(after.report().summary()).isTrue();
            assertThat(a.chunksDropped() + b.chunksDropped()).isEqualTo(expectedChunks);
            assertThat(a.runsCompleted()).isEqualTo(1);
            assertThat(b.runsSkipped()).isEqualTo(1);
            assertThat(b.runsCompleted()).isEqualTo(1);
            assertThat(b.lastReport()).isSameAs(after.report());
            a.stop();
            b.stop();
        }
    }

    @Test
    void aDatabaseOutageFailsTicksThatAreRetriedTheThreadSurvivesAndStopIsPrompt() throws Exception {
        String schema = db.schema();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (TcpProxy proxy = TcpProxy.forJdbcUrl(db.url());
                StorageEngine engine = StorageEngine.create(db.config()
                        .setUrl(proxy.proxiedUrl(db.url()))
                        .setConnectionTimeoutSec(1)
                        .build())) {
            Instant end = hourFloor(Instant.now()).minus(Duration.ofHours(2));
            RetentionData.load(
                    engine, RetentionData.series(engine, 2), end.minus(Duration.ofDays(3)), end, Duration.ofMinutes(5));
            RetentionScheduler scheduler = RetentionScheduler.builder(RetentionManager.create(engine))
                    .setInterval(Duration.ofMillis(200))
                    .setInitialDelay(Duration.ZERO)
                    .build();
            new RetentionMetrics(scheduler).bindTo(registry);
            scheduler.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> scheduler.runsCompleted() >= 1);
            assertThat(scheduler.lastReport().rollups()).isNotEmpty();

            proxy.cut();
            await().atMost(Duration.ofSeconds(30)).until(() -> scheduler.runsFailed() >= 2);

            Run failed = scheduler.lastRun();
            assertThat(failed.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(failed.error()).contains("retention on schema " + schema + " failed");
            assertThat(scheduler.isRunning()).isTrue();

            long completedBefore = scheduler.runsCompleted();
            proxy.restore();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> scheduler.runsCompleted() > completedBefore
                            && scheduler.lastRun().outcome() == Outcome.COMPLETED);

            assertThat(registry.get("ag_storage.retention.runs")
                            .tag("outcome", "failed")
                            .functionCounter()
                            .count())
                    .isEqualTo(scheduler.runsFailed());
            assertThat(registry.get("ag_storage.retention.runs")
                            .tag("outcome", "completed")
                            .tag("schema", schema)
                            .functionCounter()
                            .count())
                    .isEqualTo(scheduler.runsCompleted());
            assertThat(registry.get("ag_storage.retention.rollup.rows.written")
                            .functionCounter()
                            .count())
                    .isEqualTo(scheduler.rollupRowsWritten())
                    .isPositive();
            assertThat(registry.get("ag_storage.retention.compression.ratio")
                            .gauge()
                            .value())
                    .as("unavailable: NaN, not a number")
                    .isNaN();

            long t0 = System.nanoTime();
            assertThat(scheduler.stop(Duration.ofSeconds(5))).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
            assertThat(scheduler.isRunning()).isFalse();
            assertThat(scheduler.runNow()).isCompletedExceptionally();
            scheduler.stop(); // idempotent
        }
    }
}
