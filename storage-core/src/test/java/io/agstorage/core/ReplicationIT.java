package io.agstorage.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agstorage.core.testing.ReplicaPair;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Beyond one database server (issue #15 item 7), on a real primary and streaming standby ({@link ReplicaPair}):
 * queries go to {@code database.read_url}, and writers given a multi-host URL follow a failover to the promoted
 * standby with nothing acknowledged lost and nothing stored twice.
 */
class ReplicationIT {

    private static final Instant T0 = Instant.parse("2026-06-01T00:00:00Z");

    @Test
    void queriesGoToTheReadReplicaAndSeeWhatItHasReplayed() throws Exception {
        try (ReplicaPair pair = ReplicaPair.startFresh(false);
                StorageEngine engine = StorageEngine.create(StorageConfig.builder()
                        .setUrl(pair.primaryUrl())
                        .set("database.read_url", pair.replicaUrl())
                        .setEnableCache(false)
                        .build())) {
            engine.insertMetricsBatch(points("replayed", 0, 10));
            await().atMost(Duration.ofSeconds(30)).until(() -> rows(engine, "replayed") == 10);

            pair.onReplica("SELECT pg_wal_replay_pause()");
            engine.insertMetricsBatch(points("not_replayed_yet", 0, 10));
            assertThat(pair.queryLong(pair.primaryUrl(), "SELECT count(*) FROM ag_storage.samples"))
                    .as("committed on the primary")
                    .isEqualTo(20);
            assertThat(rows(engine, "not_replayed_yet"))
                    .as("the query went to the standby, which has not replayed the commit")
                    .isZero();

            pair.onReplica("SELECT pg_wal_replay_resume()");
            await().atMost(Duration.ofSeconds(30)).until(() -> rows(engine, "not_replayed_yet") == 10);
            assertThat(engine.config().toString()).contains("read_url=jdbc:postgresql://127.0.0.1:");
        }
    }

    @Test
    void writersFollowAFailoverAndNothingAcknowledgedIsLostOrStoredTwice() throws Exception {
        Map<String, Set<Long>> acked = new ConcurrentHashMap<>();
        try (ReplicaPair pair = ReplicaPair.startFresh(true)) {
            StorageConfig config = StorageConfig.builder()
                    .setUrl(pair.failoverUrl())
                    .setConnectionTimeoutSec(5)
                    .setWriteTimeoutMs(5_000)
                    .set("database.socket_timeout_sec", "5")
                    .set("database.connect_timeout_sec", "2")
                    .build();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong batchCalls = new AtomicLong();
            try (StorageEngine engine = StorageEngine.create(config)) {
                Thread batches = writer("batch", stop, seq -> {
                    engine.insertMetricsBatch(points("batch", seq * 100, 100));
                    acked.computeIfAbsent("batch", k -> ConcurrentHashMap.newKeySet())
                            .addAll(values(seq * 100, 100));
                    batchCalls.incrementAndGet();
                });
                MetricSeries ring = engine.series("ring", Map.of());
                Thread records = writer("ring", stop, seq -> {
                    for (long v = seq * 100; v < seq * 100 + 100; v++) {
                        ring.record(v, micros(v));
                    }
                    engine.flushBuffer();
                    acked.computeIfAbsent("ring", k -> ConcurrentHashMap.newKeySet())
                            .addAll(values(seq * 100, 100));
                });
                await().atMost(Duration.ofSeconds(30)).until(() -> batchCalls.get() >= 20);

                pair.crashPrimary();
                pair.promoteReplica();
                long atFailover = batchCalls.get();

                await().atMost(Duration.ofSeconds(60))
                        .alias("the writers commit on the promoted standby")
                        .until(() -> batchCalls.get() >= atFailover + 20);
                stop.set(true);
                batches.join();
                records.join();
            }
            for (String name : List.of("batch", "ring")) {
                Map<Long, Integer> stored = stored(pair.replicaUrl(), name);
                assertThat(stored)
                        .as("%s: stored twice", name)
                        .allSatisfy((v, n) -> assertThat(n).as("value %d", v).isEqualTo(1));
                assertThat(stored.keySet())
                        .as("%s: acknowledged, then lost", name)
                        .containsAll(acked.get(name));
                System.out.printf(
                        "failover: %s acked=%d stored=%d%n",
                        name, acked.get(name).size(), stored.size());
            }
        }
    }

    /** A thread calling {@code write} with 0, 1, 2, … until stopped; a failed call is not acknowledged. */
    private static Thread writer(String name, AtomicBoolean stop, Write write) {
        Thread t = new Thread(
                () -> {
                    for (long seq = 0; !stop.get(); seq++) {
                        try {
                            write.call(seq);
                        } catch (RuntimeException e) {
                            // the outcome is unknown (the primary went away): not acknowledged, not retried
                        }
                    }
                },
                "failover-" + name);
        t.start();
        return t;
    }

    @FunctionalInterface
    private interface Write {
        void call(long seq);
    }

    private static List<MetricPoint> points(String name, long first, int n) {
        List<MetricPoint> points = new ArrayList<>(n);
        for (long v = first; v < first + n; v++) {
            points.add(MetricPoint.of(name, v).at(T0.plusMillis(v)));
        }
        return points;
    }

    private static List<Long> values(long first, int n) {
        List<Long> values = new ArrayList<>(n);
        for (long v = first; v < first + n; v++) {
            values.add(v);
        }
        return values;
    }

    private static long micros(long v) {
        return T0.plusMillis(v).toEpochMilli() * 1_000;
    }

    private static int rows(StorageEngine engine, String name) {
        return engine.queryMetrics(name, T0, T0.plusSeconds(3_600), null).size();
    }

    /** Every stored value of the series named {@code name}, with how often it is stored. */
    private static Map<Long, Integer> stored(String url, String name) throws Exception {
        Map<Long, Integer> counts = new HashMap<>();
        try (Connection c = DriverManager.getConnection(url);
                PreparedStatement ps = c.prepareStatement("SELECT s.value FROM ag_storage.samples s "
                        + "JOIN ag_storage.series r ON r.id = s.series_id WHERE r.metric = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    counts.merge((long) rs.getDouble(1), 1, Integer::sum);
                }
            }
        }
        return counts;
    }
}
