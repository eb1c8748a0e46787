package io.agstorage.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.testing.TcpProxy;
import io.agstorage.core.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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

    @Test
    void bufferedPointsInTheEngineSpoolSurviveKill9() throws Exception {
        Path dir = Files.createTempDirectory("engine-spool-kill");
        String schema = TestDatabase.uniqueSchema("spool_kill");
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path stdout = dir.resolveSibling(dir.getFileName() + "-child.txt");
        Process child = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        Child.class.getName(),
                        db.url(),
                        schema,
                        dir.toString())
                .redirectOutput(stdout.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            String text = Awaitility.await()
                    .atMost(Duration.ofSeconds(60))
                    .until(
                            () -> Files.readString(stdout),
                            t -> t.contains("ACCEPTED " + POINTS + "\n") || !child.isAlive());
            assertThat(text).as("the child's output (logs, then its count)").contains("ACCEPTED " + POINTS + "\n");
            child.destroyForcibly(); // SIGKILL: no close(), no flush
            assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();

            // Only the ring and the writer's one batch held points in memory; everything after went to the spool.
            long spooledFrom = RING + 256;
            String spooled = "SELECT count(*) FROM " + schema + ".samples WHERE time >= to_timestamp("
                    + (T0 + spooledFrom) / 1e6 + ")";
            try (StorageEngine engine = StorageEngine.create(
                    db.config(schema).setSpoolDirectory(dir).build())) {
                Awaitility.await()
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> db.queryLong(spooled) >= POINTS - spooledFrom);
                engine.flushBuffer();
            }
            assertThat(db.queryLong(spooled)).as("every spooled point stored").isEqualTo(POINTS - spooledFrom);
            assertThat(db.queryLong("SELECT count(*) - count(DISTINCT time) FROM " + schema + ".samples"))
                    .as("none twice")
                    .isZero();
        } finally {
            child.destroyForcibly();
            db.dropSchema(schema);
        }
    }

    private static final long T0 = 1_775_000_000_000_000L;

    /** Records through a cut connection into an engine with a spool, says so, and waits to be killed. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            TcpProxy proxy = TcpProxy.forJdbcUrl(args[0]);
            StorageEngine engine = StorageEngine.create(TestDatabase.apache()
                    .config(args[1])
                    .setUrl(proxy.proxiedUrl(args[0]))
                    .setConnectionTimeoutSec(2)
                    .setMaxBufferSize(RING)
                    .setBatchSize(256)
                    .setSpoolDirectory(Path.of(args[2]))
                    .build());
            MetricSeries s = engine.series("spooled", Map.of("run", "kill"));
            engine.flushBuffer();
            proxy.cut();
            int accepted = 0;
            for (int i = 0; i < POINTS; i++) {
                if (s.record(i, T0 + i)) {
                    accepted++;
                }
            }
            System.out.println("ACCEPTED " + accepted);
            System.out.flush();
            new CountDownLatch(1).await();
        }
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
                if (s.record(i, T0 + i)) {
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
