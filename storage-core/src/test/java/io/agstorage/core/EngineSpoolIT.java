package io.agstorage.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.testing.TcpProxy;
import io.agstorage.core.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** {@code ingestion.spool_directory}: what finds the ring full during an outage waits on disk, then is stored once. */
class EngineSpoolIT {

    private static final int RING = 1_024;
    private static final int POINTS = 5_000;

    private final TestDatabase db = TestDatabase.apache();

    @Test
    void anOutageLongerThanTheRingLosesNothingWithTheEngineSpool() throws Exception {
        Path dir = Files.createTempDirectory("engine-spool");
        Outcome with = recordThroughAnOutage("spool_on", dir);
        assertThat(with.accepted()).as("every point accepted").isEqualTo(POINTS);
        assertThat(with.stored()).as("every point stored").isEqualTo(POINTS);
        assertThat(with.distinct()).as("each once").isEqualTo(POINTS);
        assertThat(with.droppedFull()).isZero();

        Outcome without = recordThroughAnOutage("spool_off", null);
        assertThat(without.droppedFull())
                .as("without the spool the overflow is counted as dropped")
                .isPositive()
                .isEqualTo(POINTS - without.accepted());
        assertThat(without.stored()).isEqualTo(without.accepted());
    }

    private record Outcome(long accepted, long stored, long distinct, long droppedFull) {}

    private Outcome recordThroughAnOutage(String prefix, @Nullable Path spoolDir) throws Exception {
        String schema = TestDatabase.uniqueSchema(prefix);
        try (TcpProxy proxy = TcpProxy.forJdbcUrl(db.url());
                StorageEngine engine = StorageEngine.create(db.config(schema)
                        .setUrl(proxy.proxiedUrl(db.url()))
                        .setConnectionTimeoutSec(2)
                        .setMaxBufferSize(RING)
                        .setBatchSize(256)
                        .setSpoolDirectory(spoolDir)
                        .build())) {
            MetricSeries s = engine.series("spooled", Map.of("run", prefix));
            engine.flushBuffer(); // the series is known to the database before the cut
            proxy.cut();
            long accepted = 0;
            for (int i = 0; i < POINTS; i++) {
                if (s.record(i, 1_775_000_000_000_000L + i)) {
                    accepted++;
                }
            }
            Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> engine.ingestionStats().retries() > 0);
            proxy.restore();
            long expected = accepted;
            String count = "SELECT count(*) FROM " + schema + ".samples";
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> db.queryLong(count) >= expected);
            engine.flushBuffer();
            return new Outcome(
                    accepted,
                    db.queryLong(count),
                    db.queryLong("SELECT count(DISTINCT time) FROM " + schema + ".samples"),
                    engine.ingestionStats().droppedFull());
        } finally {
            db.dropSchema(schema);
        }
    }
}
