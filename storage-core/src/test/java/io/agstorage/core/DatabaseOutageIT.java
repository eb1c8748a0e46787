package io.agstorage.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.testing.DatabaseExtension;
import io.agstorage.core.testing.TcpProxy;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The database goes away (a restart, a network cut) under a running engine: buffered data waits, nothing is lost. */
class DatabaseOutageIT {

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("outage");

    @Test
    void samplesBufferedDuringAnOutageAreCommittedAfterIt() throws Exception {
        String schema = db.schema();
        Instant t0 = Instant.parse("2026-04-01T00:00:00Z");
        try (TcpProxy proxy = TcpProxy.forJdbcUrl(db.url());
                StorageEngine engine = StorageEngine.create(db.config()
                        .setUrl(proxy.proxiedUrl(db.url()))
                        .setConnectionTimeoutSec(2)
                        .setMaxBufferSize(16_384)
                        .build())) {
            MetricSeries s = engine.series("through_outage", Map.of("phase", "all"));
            long micros = t0.toEpochMilli() * 1_000;
            for (int i = 0; i < 1_000; i++) {
                assertThat(s.record(i, micros + i)).isTrue();
            }
            engine.flushBuffer();

            proxy.cut();
            long start = System.nanoTime();
            int acceptedDuringOutage = 0;
            for (int i = 1_000; i < 6_000; i++) {
                if (s.record(i, micros + i)) {
                    acceptedDuringOutage++;
                }
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("recording never waits for the database")
                    .isLessThan(Duration.ofSeconds(1));
            assertThat(acceptedDuringOutage).isEqualTo(5_000);
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> engine.ingestionStats().retries() > 0);
            proxy.restore();

            engine.flushBuffer();

            assertThat(db.queryLong("SELECT count(*) FROM " + schema + ".samples"))
                    .isEqualTo(6_000);
            assertThat(db.queryDouble("SELECT sum(value) FROM " + schema + ".samples"))
                    .isEqualTo(5_999.0 * 6_000 / 2);
            assertThat(engine.ingestionStats().droppedFailed()).isZero();
        }
    }
}
