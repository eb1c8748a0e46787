package io.agstorage.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agstorage.core.testing.DatabaseExtension;
import io.agstorage.core.testing.TcpProxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * insertMetricsBatch on PostgreSQL writes on the caller's thread: streamed in chunks into one COPY, committed
 * whole or not at all, transient failures retried until the deadline, never written behind the caller's back.
 */
class DirectWriteIT {

    private static final Instant T0 = Instant.parse("2026-02-01T00:00:00Z");

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("direct");

    @Test
    void aBatchSpanningManyChunksIsCommittedWhole() {
        try (StorageEngine engine = StorageEngine.create(db.config().build())) {
            engine.insertMetricsBatch(points("big", 25_000, 50, 0));

            assertThat(db.queryLong("SELECT count(*) FROM " + db.schema() + ".metrics WHERE metric_name = 'big'"))
                    .isEqualTo(25_000);
            assertThat(db.queryDouble("SELECT sum(value) FROM " + db.schema() + ".metrics WHERE metric_name = 'big'"))
                    .isEqualTo(24_999.0 * 25_000 / 2);
            assertThat(db.queryLong(
                            "SELECT count(DISTINCT labels) FROM " + db.schema() + ".metrics WHERE metric_name = 'big'"))
                    .isEqualTo(50);
            assertThat(engine.ingestionStats().committed()).isEqualTo(25_000);
        }
    }

    @Test
    void seriesFirstSeenAfterStreamingStartedAreResolvedBeforeTheirRows() {
        try (StorageEngine engine = StorageEngine.create(db.config().build())) {
            List<MetricPoint> batch = new ArrayList<>(points("late", 3_000, 1, 0));
            batch.addAll(points("late", 3_000, 300, 3_000).stream()
                    .map(p -> p.withLabel("wave", "second"))
                    .toList());

            engine.insertMetricsBatch(batch);

            assertThat(db.queryLong("SELECT count(*) FROM " + db.schema() + ".metrics WHERE metric_name = 'late'"))
                    .isEqualTo(6_000);
            assertThat(db.queryLong("SELECT count(*) FROM " + db.schema() + ".samples s LEFT JOIN " + db.schema()
                            + ".series r ON r.id = s.series_id WHERE r.id IS NULL"))
                    .as("samples without a series")
                    .isZero();
            assertThat(db.queryLong("SELECT count(*) FROM " + db.schema()
                            + ".metrics WHERE metric_name = 'late' AND labels ? 'wave'"))
                    .isEqualTo(3_000);
        }
    }

    @Test
    void aBatchTheDatabaseRefusesLeavesNothingBehindAndCanBeSentAgain() {
        try (StorageEngine engine = StorageEngine.create(db.config().build())) {
            engine.insertMetric(MetricPoint.of("warm_up", 1).at(T0));
            // A row trigger that refuses one value for its data (SQLSTATE 23514: ErrorPolicy retries anything else
            // until
            // the deadline), in a chunk streamed before the commit: the COPY fails on the server
            // while the caller is still validating, and the commit reports it.
            db.execute("CREATE FUNCTION " + db.schema() + ".refuse() RETURNS trigger LANGUAGE plpgsql AS "
                    + "$$ BEGIN IF NEW.value = -666 THEN "
                    + "RAISE EXCEPTION 'refused by test trigger' USING ERRCODE = '23514'; END IF; "
                    + "RETURN NEW; END $$");
            db.execute("CREATE TRIGGER refuse BEFORE INSERT ON " + db.schema()
                    + ".samples FOR EACH ROW EXECUTE FUNCTION " + db.schema() + ".refuse()");
            List<MetricPoint> batch = new ArrayList<>(points("refused", 5_000, 10, 0));
            batch.set(1_500, MetricPoint.of("refused", -666).withLabel("s", "0").at(T0));
            long retriesBefore = engine.ingestionStats().retries();

            assertThatThrownBy(() -> engine.insertMetricsBatch(batch))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("writing 5000 points failed, none was written")
                    .hasMessageContaining("refused by test trigger");
            assertThat(db.queryLong("SELECT count(*) FROM " + db.schema() + ".metrics WHERE metric_name = 'refused'"))
                    .isZero();
            assertThat(engine.ingestionStats().retries())
                    .as("a refusal is not retried")
                    .isEqualTo(retriesBefore);

            batch.set(
                    1_500, MetricPoint.of("refused", 1_500).withLabel("s", "0").at(T0.plusMillis(1_500)));
            engine.insertMetricsBatch(batch);
            assertThat(db.queryLong("SELECT count(*) FROM " + db.schema() + ".metrics WHERE metric_name = 'refused'"))
                    .isEqualTo(5_000);
        }
    }

    @Test
    void aConnectionLostOnceTheCommitWasSentIsReportedAsUnknownAndNotRetried() throws Exception {
        try (StorageEngine engine = StorageEngine.create(db.config().build())) {
            engine.insertMetric(MetricPoint.of("warm_up", 1).at(T0));
            // One row makes the server sleep while it finishes the COPY that the client has already ended (its commit).
            db.execute("CREATE FUNCTION " + db.schema() + ".stall() RETURNS trigger LANGUAGE plpgsql AS "
                    + "$$ BEGIN IF NEW.value = -7 THEN PERFORM pg_sleep(30); END IF; RETURN NEW; END $$");
            db.execute("CREATE TRIGGER stall BEFORE INSERT ON " + db.schema()
                    + ".samples FOR EACH ROW EXECUTE FUNCTION " + db.schema() + ".stall()");
            List<MetricPoint> batch = new ArrayList<>(points("unknown", 100, 5, 0));
            batch.add(MetricPoint.of("unknown", -7).at(T0));
            long retriesBefore = engine.ingestionStats().retries();
            CompletableFuture<Void> write = CompletableFuture.runAsync(() -> engine.insertMetricsBatch(batch));

            Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() ->
                            db.queryLong("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND query "
                                            + "LIKE 'COPY %'")
                                    == 1);
            db.queryLong(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND "
                            + "query LIKE 'COPY %'");

            assertThatThrownBy(() -> write.get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(StorageException.class)
                    .cause()
                    .hasMessageContaining("whether it took effect is unknown")
                    .hasMessageContaining("check before writing them again");
            assertThat(engine.ingestionStats().retries())
                    .as("not retried: it might double the points")
                    .isEqualTo(retriesBefore);
        }
    }

    @Test
    void aNetworkCutIsRetriedUntilTheDatabaseIsBackAndTheBatchCommitsOnce() throws Exception {
        try (TcpProxy proxy = TcpProxy.forJdbcUrl(db.url());
                StorageEngine engine = StorageEngine.create(db.config()
                        .setUrl(proxy.proxiedUrl(db.url()))
                        .setConnectionTimeoutSec(1)
                        .setWriteTimeoutMs(30_000)
                        .build())) {
            engine.insertMetric(MetricPoint.of("warm_up", 1).at(T0));
            proxy.cut();
            CompletableFuture<Void> write =
                    CompletableFuture.runAsync(() -> engine.insertMetricsBatch(points("cut", 4_000, 20, 0)));
            Awaitility.await()
                    .atMost(Duration.ofSeconds(15))
                    .until(() -> engine.ingestionStats().retries() > 0);
            assertThat(write).isNotDone();

            proxy.restore();
            write.get(30, TimeUnit.SECONDS);

            assertThat(db.queryLong("SELECT count(*) FROM " + db.schema() + ".metrics WHERE metric_name = 'cut'"))
                    .isEqualTo(4_000);
        }
    }

    @Test
    void aWriteThatOutlivesItsDeadlineFailsAndIsNeverWrittenLater() throws Exception {
        try (TcpProxy proxy = TcpProxy.forJdbcUrl(db.url());
                StorageEngine engine = StorageEngine.create(db.config()
                        .setUrl(proxy.proxiedUrl(db.url()))
                        .setConnectionTimeoutSec(1)
                        .setWriteTimeoutMs(2_500)
                        .build())) {
            engine.insertMetric(MetricPoint.of("warm_up", 1).at(T0));
            proxy.cut();
            long start = System.nanoTime();

            assertThatThrownBy(() -> engine.insertMetricsBatch(points("late_write", 1_000, 5, 0)))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("writing 1000 points failed, none was written");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));

            proxy.restore();
            engine.insertMetric(MetricPoint.of("after", 1).at(T0));
            engine.flushBuffer();
            assertThat(db.queryLong(
                            "SELECT count(*) FROM " + db.schema() + ".metrics WHERE metric_name = 'late_write'"))
                    .isZero();
        }
    }

    @Test
    void directWritesNeverHoldMoreThanAllButOneConnection() throws Exception {
        try (StorageEngine engine =
                StorageEngine.create(db.config().setMaxConnections(3).build())) {
            engine.insertMetric(MetricPoint.of("warm_up", 1).at(T0));
            // Each batch carries one row that takes 100 ms, so that the four callers' writes overlap.
            db.execute("CREATE FUNCTION " + db.schema() + ".slow() RETURNS trigger LANGUAGE plpgsql AS "
                    + "$$ BEGIN IF NEW.value = -1 THEN PERFORM pg_sleep(0.1); END IF; RETURN NEW; END $$");
            db.execute("CREATE TRIGGER slow BEFORE INSERT ON " + db.schema() + ".samples FOR EACH ROW EXECUTE FUNCTION "
                    + db.schema() + ".slow()");
            ExecutorService callers = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int c = 0; c < 4; c++) {
                    int caller = c;
                    done.add(callers.submit(() -> {
                        for (int b = 0; b < 5; b++) {
                            List<MetricPoint> batch = new ArrayList<>(points("slow_" + caller, 100, 5, b * 100));
                            batch.add(MetricPoint.of("slow_" + caller, -1).at(T0.minusSeconds(b + 1)));
                            engine.insertMetricsBatch(batch);
                        }
                    }));
                }
                int mostActive = 0;
                while (!done.stream().allMatch(Future::isDone)) {
                    mostActive = Math.max(mostActive, engine.poolStatus().active());
                    Thread.sleep(2);
                }
                for (Future<?> f : done) {
                    f.get();
                }
                assertThat(mostActive)
                        .as("connections held by direct writes at once, of 3")
                        .isEqualTo(2);
            } finally {
                callers.shutdownNow();
            }
            assertThat(db.queryLong("SELECT count(*) FROM " + db.schema() + ".metrics WHERE metric_name LIKE 'slow_%'"))
                    .isEqualTo(4 * 5 * 101);
        }
    }

    @Test
    void callersBeyondThePoolWaitTheirTurnAndTheWriterThreadKeepsItsConnection() throws Exception {
        // Two connections: direct writes may hold one, the ring's writer always has the other.
        try (StorageEngine engine =
                StorageEngine.create(db.config().setMaxConnections(2).build())) {
            ExecutorService callers = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int c = 0; c < 4; c++) {
                    int caller = c;
                    done.add(callers.submit(() -> {
                        for (int b = 0; b < 5; b++) {
                            engine.insertMetricsBatch(points("crowd_" + caller, 2_000, 10, b * 2_000));
                        }
                    }));
                }
                MetricSeries hot = engine.series("hot_path", Map.of());
                long micros = T0.toEpochMilli() * 1_000;
                for (int i = 0; i < 5_000; i++) {
                    assertThat(hot.record(i, micros + i)).isTrue();
                }
                // flushBuffer() returns what was committed during the call: the writer may have committed part of
                // the 5,000 before it. What it promises is that all of them are in once it returns.
                engine.flushBuffer();
                assertThat(db.queryLong(
                                "SELECT count(*) FROM " + db.schema() + ".metrics WHERE metric_name = 'hot_path'"))
                        .as("the writer thread committed while callers held the other connection")
                        .isEqualTo(5_000);
                for (Future<?> f : done) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                callers.shutdownNow();
            }
            assertThat(db.queryLong(
                            "SELECT count(*) FROM " + db.schema() + ".metrics WHERE metric_name LIKE 'crowd_%'"))
                    .isEqualTo(40_000);
            assertThat(db.queryLong("SELECT count(*) FROM " + db.schema() + ".metrics WHERE metric_name = 'hot_path'"))
                    .isEqualTo(5_000);
        }
    }

    @Test
    void aCallerThatFailsMidBatchRollsBackWhatWasStreamedAndFreesItsConnection() {
        try (StorageEngine engine = StorageEngine.create(
                db.config().setMaxConnections(2).setWriteTimeoutMs(3_000).build())) {
            List<MetricPoint> batch = new ArrayList<>(points("half", 5_000, 10, 0));
            batch.set(4_000, null);

            assertThatThrownBy(() -> engine.insertMetricsBatch(batch))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessage("points[4000]");

            engine.insertMetricsBatch(points("next", 10, 1, 0));
            assertThat(db.queryLong("SELECT count(*) FROM " + db.schema() + ".metrics WHERE metric_name = 'half'"))
                    .isZero();
            assertThat(db.queryLong("SELECT count(*) FROM " + db.schema() + ".metrics WHERE metric_name = 'next'"))
                    .isEqualTo(10);
            assertThat(engine.poolStatus().active()).isZero();
        }
    }

    /** {@code n} points named {@code name} over {@code series} series, values and milliseconds from {@code first}. */
    private static List<MetricPoint> points(String name, int n, int series, int first) {
        List<MetricPoint> points = new ArrayList<>(n);
        for (int i = first; i < first + n; i++) {
            points.add(MetricPoint.of(name, i)
                    .withLabel("s", String.valueOf(i % series))
                    .at(T0.plusMillis(i)));
        }
        return points;
    }
}
