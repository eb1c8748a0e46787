package io.agstorage.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agstorage.core.StorageEngine;
import io.agstorage.core.spool.SampleSpool;
import io.agstorage.core.testing.DatabaseExtension;
import io.agstorage.core.testing.TcpProxy;
import io.agstorage.otel.testing.Stored;
import io.agstorage.otlp.testing.SpoolingReceiver;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentSelector;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.View;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a receiver with a spool: every point it answered 200 is stored exactly once (none lost, none doubled)
 * once a new receiver has opened the same spool directory.
 *
 * <p>The receiver runs in a child JVM ({@link SpoolingReceiver}) storing through a {@link TcpProxy} the test controls,
 * so the test can cut the database. The client is the real OTel SDK: a cumulative {@link LongCounter} over
 * {@value #SERIES} series, exported over OTLP/HTTP once a round; a round counts as answered only when the export
 * succeeded (the receiver answered 200). The database is then read per series: as many rows as answered rounds (the
 * receiver stores one delta per export), and their sum is what the client added in those rounds.
 *
 * <p>Two crashes: after rounds answered while the database was unreachable (only the spool holds them: the restart
 * must replay them), and right after rounds committed while still in the journal (the restart must skip them, by the
 * watermark committed with the rows).
 */
class SpoolCrashIT {

    private static final int SERIES = 50;
    private static final String METRIC = "spool.crash.orders";
    private static final AttributeKey<String> SERIES_KEY = AttributeKey.stringKey("series");
    /**
     * The journal's trim checkpoint (see {@code Journal}'s layout); it is not forced, so a machine crash may lose it.
     */
    private static final String TRIM_CHECKPOINT = "trimmed.seq";

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("otel_spool_crash");

    private final Stored stored = new Stored(db);

    @TempDir
    Path dir;

    private TcpProxy proxy;
    private Process child;
    private Client client;
    private StorageEngine engine;
    private OtlpReceiver receiver;

    @BeforeEach
    void startProxy() throws Exception {
        proxy = TcpProxy.forJdbcUrl(db.url());
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (client != null) {
            client.close();
        }
        if (child != null) {
            child.destroyForcibly();
            child.waitFor(20, TimeUnit.SECONDS);
        }
        if (receiver != null) {
            receiver.close();
        }
        if (engine != null) {
            engine.close();
        }
        proxy.close();
    }

    @Test
    void pointsAnsweredWhileTheDatabaseWasUnreachableAreStoredOnceAfterKillDashNine() throws Exception {
        Path spool = dir.resolve("spool");
        client = new Client(startChild(spool));
        for (int i = 0; i < 3; i++) {
            client.round();
        }
        // Committed before the cut, so that no commit is in flight when the network goes.
        awaitStored();
        proxy.cut();
        for (int i = 0; i < 3; i++) {
            client.round(); // still answered 200: spooled, not committed
        }
        assertThat(storedRows())
                .as("rounds answered while the database was unreachable are not committed")
                .isEqualTo(3L * SERIES);

        killChild();
        client.close();
        assertThat(storedRows()).isEqualTo(3L * SERIES);
        proxy.restore();
        restart(spool);

        assertThat(perSeries()).containsExactlyInAnyOrderElementsOf(client.expected());
        assertThat(spool().replayedPoints())
                .as("points replayed: the three rounds spooled while the database was unreachable")
                .isEqualTo(3L * SERIES);
        var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        new OtlpReceiverMetrics(receiver).bindTo(registry);
        assertThat(registry.get("ag_storage.otlp.spool.points")
                        .tag("outcome", "replayed")
                        .functionCounter()
                        .count())
                .isEqualTo((double) spool().replayedPoints());
        assertThat(spool().replaySkipped()).isZero();
    }

    @Test
    void recordsCommittedButStillInTheJournalAtKillDashNineAreNotStoredTwice() throws Exception {
        Path spool = dir.resolve("spool");
        client = new Client(startChild(spool));
        for (int i = 0; i < 4; i++) {
            client.round();
        }
        awaitStored();
        client.round(); // answered once spooled; its commit races the kill
        killChild();
        client.close();
        long committedRecord = Long.parseLong(stored.query("SELECT sequence FROM $S.spool_watermarks"));
        assertThat(committedRecord)
                .as("the spool's committed record (one a round)")
                .isGreaterThanOrEqualTo(4);

        // Without the checkpoint (as after a machine crash) opening the journal hands every record it still holds to
        // the spool: only the watermark committed with the rows keeps the committed ones from being stored again.
        Files.deleteIfExists(spool.resolve(TRIM_CHECKPOINT));
        restart(spool);

        assertThat(perSeries()).containsExactlyInAnyOrderElementsOf(client.expected());
        assertThat(spool().replayedPoints())
                .as("points replayed: at most the last round, the only one that can have been uncommitted")
                .isBetween(0L, (long) SERIES);
    }

    /** Starts {@link SpoolingReceiver} storing through the proxy and returns its OTLP/HTTP port. */
    private int startChild(Path spool) throws Exception {
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // stdout goes to a file (reading a pipe races with the JDK draining it when the process dies)
        Path stdout = dir.resolve("child-stdout.txt");
        child = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        SpoolingReceiver.class.getName(),
                        proxy.proxiedUrl(db.url()),
                        db.schema(),
                        spool.toString())
                .redirectOutput(stdout.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String text = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> Files.readString(stdout, StandardCharsets.UTF_8),
                        t -> t.endsWith("\n") || !child.isAlive());
        assertThat(child.isAlive())
                .as("the child exited before serving (its stderr is above)")
                .isTrue();
        assertThat(text).startsWith("PORT ");
        return Integer.parseInt(text.strip().substring("PORT ".length()));
    }

    private void killChild() throws InterruptedException {
        child.destroyForcibly(); // SIGKILL: no shutdown hook, no close(), no flush
        assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).isEqualTo(137);
    }

    /** A new receiver (in this JVM) on the same spool and schema; its start replays what the database does not hold. */
    private void restart(Path spool) {
        engine = StorageEngine.create(
                db.config().setUrl(proxy.proxiedUrl(db.url())).build());
        receiver = OtlpReceiver.builder()
                .setEngine(engine)
                .setHost("127.0.0.1")
                .setGrpcPort(-1)
                .setHttpPort(0)
                .setSpool(spool)
                .start();
    }

    private void awaitStored() {
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(perSeries()).containsExactlyInAnyOrderElementsOf(client.expected()));
    }

    /** Per series: "label | rows | sum of the stored values". */
    private List<String> perSeries() {
        return stored.rows(
                "SELECT r.labels->>'series', count(*), sum(s.value) FROM $S.samples s JOIN $S.series r ON r.id = "
                        + "s.series_id WHERE r.metric = ? GROUP BY 1",
                METRIC);
    }

    private long storedRows() {
        return Long.parseLong(stored.query(
                "SELECT count(*) FROM $S.samples s JOIN $S.series r ON r.id = s.series_id WHERE r.metric = ?", METRIC));
    }

    private SampleSpool spool() {
        return Objects.requireNonNull(receiver.spool(), "the restarted receiver has no spool");
    }

    /**
     * The real OTel SDK: one cumulative LongCounter over {@value #SERIES} series, exported over OTLP/HTTP once a round.
     */
    private static final class Client implements AutoCloseable {

        private final SdkMeterProvider provider;
        private final LongCounter counter;
        private final Attributes[] series = new Attributes[SERIES];
        private final long[] sent = new long[SERIES];
        private int rounds;
        private volatile boolean closed;

        Client(int port) {
            // No retries: a round is answered at once or fails.
            MetricExporter otlp = OtlpHttpMetricExporter.builder()
                    .setEndpoint("http://127.0.0.1:" + port + "/v1/metrics")
                    .setRetryPolicy(null)
                    .build();
            MetricExporter exporter = new MetricExporter() {
                @Override
                public CompletableResultCode export(Collection<MetricData> metrics) {
                    // The reader's last export at shutdown would go to a killed receiver: nothing is sent after
                    // close().
                    return closed ? CompletableResultCode.ofSuccess() : otlp.export(metrics);
                }

                @Override
                public CompletableResultCode flush() {
                    return otlp.flush();
                }

                @Override
                public CompletableResultCode shutdown() {
                    return otlp.shutdown();
                }

                @Override
                public AggregationTemporality getAggregationTemporality(InstrumentType type) {
                    return otlp.getAggregationTemporality(type);
                }
            };
            // Created after the receiver started, so that its first points count in full (see CumulativeState). The
            // SDK's
            // own metrics (otel.sdk.*, one point an export) are dropped: each request holds exactly the counter's
            // points.
            provider = SdkMeterProvider.builder()
                    .registerView(
                            InstrumentSelector.builder().setName("otel.sdk.*").build(),
                            View.builder().setAggregation(Aggregation.drop()).build())
                    .registerMetricReader(PeriodicMetricReader.builder(exporter)
                            .setInterval(Duration.ofHours(1))
                            .build())
                    .build();
            counter = provider.get("io.agstorage.test").counterBuilder(METRIC).build();
            for (int i = 0; i < SERIES; i++) {
                series[i] = Attributes.of(SERIES_KEY, label(i));
            }
        }

        private static String label(int i) {
            return String.format("s%02d", i);
        }

        /** Adds a known increment to every series and exports; the round counts only once the receiver answered 200. */
        void round() {
            int round = rounds + 1;
            long[] increments = new long[SERIES];
            for (int i = 0; i < SERIES; i++) {
                increments[i] = round * 1_000L + i + 1;
                counter.add(increments[i], series[i]);
            }
            CompletableResultCode result = provider.forceFlush().join(10, TimeUnit.SECONDS);
            assertThat(result.isSuccess()).as("round %d answered 200", round).isTrue();
            for (int i = 0; i < SERIES; i++) {
                sent[i] += increments[i];
            }
            rounds = round;
        }

        /** What the database must hold for the answered rounds, as {@link SpoolCrashIT#perSeries()} reads it. */
        List<String> expected() {
            List<String> rows = new ArrayList<>();
            for (int i = 0; i < SERIES; i++) {
                rows.add(label(i) + " | " + rounds + " | " + (double) sent[i]);
            }
            return rows;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                provider.shutdown().join(10, TimeUnit.SECONDS);
            }
        }
    }
}
