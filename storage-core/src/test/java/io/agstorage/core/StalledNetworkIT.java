package io.agstorage.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agstorage.core.testing.DatabaseExtension;
import io.agstorage.core.testing.TcpProxy;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The network between the engine and the database goes silent (issue #12 item 7): packets are dropped, nothing is
 * reset, so only a timeout on the client tells. The ring's writer must notice within {@code
 * database.socket_timeout_sec} (plus the pool's checks), drop that connection and write the batch on a new one: every
 * recorded sample stored exactly once, never a writer hung for ever with the ring filling up behind it.
 */
class StalledNetworkIT {

    /** The socket timeout these tests run with; production's default is 60 s. */
    static final int SOCKET_TIMEOUT_SEC = 2;
    /** What a stalled connection may cost on top of the socket timeout: pool validation, a new login, backoff. */
    static final Duration MARGIN = Duration.ofSeconds(8);

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("stall");

    /** The test's bounds on every database wait: short, so that a stall costs seconds here. */
    static StorageConfig.Builder bounded(StorageConfig.Builder config) {
        return config.setConnectionTimeoutSec(2)
                .setWriteTimeoutMs(3_000)
                .set("database.socket_timeout_sec", Integer.toString(SOCKET_TIMEOUT_SEC))
                .set("database.connect_timeout_sec", "2");
    }

    @Test
    void aBatchOnAConnectionStalledForGoodIsWrittenOnANewOneWithinTheSocketTimeout() throws Exception {
        Instant t0 = Instant.parse("2026-05-01T00:00:00Z");
        try (TcpProxy proxy = TcpProxy.forJdbcUrl(db.url());
                StorageEngine engine = StorageEngine.create(
                        bounded(db.config().setUrl(proxy.proxiedUrl(db.url()))).build())) {
            MetricSeries s = engine.series("stalled_for_good", Map.of("phase", "all"));
            long micros = t0.toEpochMilli() * 1_000;
            for (int i = 0; i < 1_000; i++) {
                s.record(i, micros + i);
            }
            engine.flushBuffer();

            proxy.stallOpenConnections();
            long start = System.nanoTime();
            for (int i = 1_000; i < 2_000; i++) {
                assertThat(s.record(i, micros + i)).isTrue();
            }
            await().atMost(Duration.ofSeconds(SOCKET_TIMEOUT_SEC).plus(MARGIN))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> samples() == 2_000);
            System.out.printf(
                    "stalled for good: the writer stored the batch on a new connection after %d ms (socket timeout "
                            + "%d s), %d retries%n",
                    (System.nanoTime() - start) / 1_000_000,
                    SOCKET_TIMEOUT_SEC,
                    engine.ingestionStats().retries());

            engine.flushBuffer();
            assertThat(samples()).isEqualTo(2_000);
            assertThat(db.queryDouble("SELECT sum(value) FROM " + db.table("samples")))
                    .isEqualTo(1_999.0 * 2_000 / 2);
            assertThat(engine.ingestionStats().droppedFailed()).isZero();
            assertThat(engine.ingestionStats().retries()).isPositive();
        }
    }

    @Test
    void aStallOfEveryConnectionIsNoticedWithinTheSocketTimeoutAndNothingIsLostWhenThePathHeals() throws Exception {
        Instant t0 = Instant.parse("2026-05-02T00:00:00Z");
        try (TcpProxy proxy = TcpProxy.forJdbcUrl(db.url());
                StorageEngine engine = StorageEngine.create(
                        bounded(db.config().setUrl(proxy.proxiedUrl(db.url()))).build())) {
            MetricSeries s = engine.series("stalled_then_healed", Map.of());
            long micros = t0.toEpochMilli() * 1_000;
            for (int i = 0; i < 500; i++) {
                s.record(i, micros + i);
            }
            engine.flushBuffer();

            proxy.stall(); // every connection, new ones too: the database is unreachable and nothing says so
            for (int i = 500; i < 1_500; i++) {
                assertThat(s.record(i, micros + i)).isTrue();
            }
            await().atMost(Duration.ofSeconds(SOCKET_TIMEOUT_SEC).plus(MARGIN))
                    .alias("the writer notices the stall and retries")
                    .until(() -> engine.ingestionStats().retries() > 0);
            // the silent path finally resets what it held (nothing held is delivered late) and heals
            proxy.cut();
            proxy.restore();

            await().atMost(Duration.ofSeconds(SOCKET_TIMEOUT_SEC).plus(MARGIN)).until(() -> samples() == 1_500);
            engine.flushBuffer();
            assertThat(samples()).isEqualTo(1_500);
            assertThat(db.queryDouble("SELECT sum(value) FROM " + db.table("samples")))
                    .isEqualTo(1_499.0 * 1_500 / 2);
            assertThat(engine.ingestionStats().droppedFailed()).isZero();
        }
    }

    private long samples() {
        return db.queryLong("SELECT count(*) FROM " + db.table("samples"));
    }
}
