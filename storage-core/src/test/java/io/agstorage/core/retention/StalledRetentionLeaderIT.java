package io.agstorage.core.retention;

import static io.agstorage.core.retention.RetentionData.hourFloor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agstorage.core.StorageConfig;
import io.agstorage.core.StorageEngine;
import io.agstorage.core.retention.RetentionScheduler.Outcome;
import io.agstorage.core.retention.RetentionScheduler.Run;
import io.agstorage.core.retention.internal.RetentionLock;
import io.agstorage.core.testing.DatabaseExtension;
import io.agstorage.core.testing.TcpProxy;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The retention leader's network goes silent in the middle of a run (issue #12 item 7): its session keeps the
 * advisory lock on the server, and nothing resets it. Another JVM (here an engine with its own pool, so its own
 * sessions) must be able to take the leadership within a bounded time rather than skip for ever; and the stalled
 * leader's run ends (failed) within its socket timeout instead of hanging its scheduler thread.
 */
class StalledRetentionLeaderIT {

    private static final int SOCKET_TIMEOUT_SEC = 2;

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("ret_stall");

    private StorageConfig.Builder bounded(StorageConfig.Builder config) {
        return config.setMetricsRetentionDays(90)
                .setConnectionTimeoutSec(2)
                .set("database.socket_timeout_sec", Integer.toString(SOCKET_TIMEOUT_SEC))
                .set("database.connect_timeout_sec", "2");
    }

    @Test
    void aLeaderWhoseNetworkStallsLosesTheLeadershipToAnotherInstanceWithinABoundedTime() throws Exception {
        String schema = db.schema();
        try (TcpProxy proxy = TcpProxy.forJdbcUrl(db.url());
                StorageEngine engineA = StorageEngine.create(
                        bounded(db.config().setUrl(proxy.proxiedUrl(db.url()))).build());
                StorageEngine engineB =
                        StorageEngine.create(bounded(db.config()).build())) {
            Instant end = hourFloor(Instant.now()).minus(Duration.ofHours(2));
            RetentionData.load(
                    engineB,
                    RetentionData.series(engineB, 2),
                    end.minus(Duration.ofDays(100)),
                    end,
                    Duration.ofHours(2));
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
            CompletableFuture<Run> runA;
            try (Connection blocker = db.connect();
                    Statement st = blocker.createStatement()) {
                // holds A's run in the middle, holding the lock, until A's network has stalled
                blocker.setAutoCommit(false);
                st.execute("LOCK TABLE \"" + schema + "\".rollup_watermarks IN EXCLUSIVE MODE");
                runA = a.runNow();
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> leaderLocks(schema) == 1 && waitingOnBlocker(schema));
                proxy.stallOpenConnections();
                blocker.commit();
            }
            long stalledAt = System.nanoTime();

            Run aEnded = runA.get(3L * SOCKET_TIMEOUT_SEC + 10, TimeUnit.SECONDS);
            assertThat(aEnded.outcome())
                    .as("the stalled leader's run fails within its socket timeout")
                    .isEqualTo(Outcome.FAILED);

            await().atMost(Duration.ofSeconds(4L * SOCKET_TIMEOUT_SEC + 10))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> b.runNow().get(30, TimeUnit.SECONDS).outcome() == Outcome.COMPLETED);
            System.out.printf(
                    "stalled retention leader: the other instance took the leadership %d ms after the stall "
                            + "(socket timeout %d s), after %d skipped ticks%n",
                    (System.nanoTime() - stalledAt) / 1_000_000, SOCKET_TIMEOUT_SEC, b.runsSkipped());
            assertThat(b.lastReport()).isNotNull();
            assertThat(leaderLocks(schema))
                    .as("B released the lock after its run")
                    .isZero();
            a.stop();
            b.stop();
        }
    }

    private long leaderLocks(String schema) {
        return db.queryLong("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = "
                + RetentionLock.LOCK_CLASS + " AND objid = " + Integer.toUnsignedLong(schema.hashCode()));
    }

    private boolean waitingOnBlocker(String schema) {
        return db.queryLong("SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = '\"" + schema
                        + "\".rollup_watermarks'::regclass")
                == 1;
    }
}
