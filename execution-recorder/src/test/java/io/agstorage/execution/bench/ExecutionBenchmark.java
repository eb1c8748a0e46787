package io.agstorage.execution.bench;

import io.agstorage.core.StorageConfig;
import io.agstorage.core.StorageEngine;
import io.agstorage.core.journal.SyncPolicy;
import io.agstorage.execution.ExecutionStore;
import io.agstorage.execution.Fill;
import io.agstorage.execution.Order;
import io.agstorage.execution.OrderType;
import io.agstorage.execution.Side;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

/**
 * {@code scripts/bench execution}: stores N fills (default 100,000) from T threads (default 2) through an
 * {@link ExecutionStore} and reports the latency of each {@code storeFill} call (p50, p99, p99.9, max) and the
 * sustained rate at which fills are committed to the database (from the first call until {@code flush()} returns),
 * and how many journal {@code fsync}s the run issued. Runs once per sync policy given (default
 * {@code none,always,batch}: page cache, fsync before each acknowledgement, background fsync every 5 ms); the last
 * line reports the last policy, batch, the default.
 *
 * <p>Arguments: jdbc url [fills] [threads] [policies, comma-separated].
 */
public final class ExecutionBenchmark {

    private ExecutionBenchmark() {}

    private record Result(SyncPolicy policy, long[] latencies, double seconds, int fills, long syncs) {
        long percentile(double p) {
            return latencies[Math.min(latencies.length - 1, (int) Math.floor(latencies.length * p))];
        }
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int fills = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        String policies = args.length > 3 ? args[3] : "none,always,batch";
        String schema = "bench_execution_" + ProcessHandle.current().pid();
        StorageConfig config = StorageConfig.builder()
                .setUrl(url)
                .setSchema(schema)
                .setMaxConnections(4)
                .setEnableCache(false)
                .setWriteTimeoutMs(300_000)
                .build();
        Path journalRoot = Files.createTempDirectory(
                Path.of(System.getProperty("bench.journal.dir", System.getProperty("java.io.tmpdir"))),
                "ag-exec-bench");
        diskBaseline(journalRoot);
        Result last = null;
        try (StorageEngine engine = StorageEngine.create(config)) {
            for (String name : policies.split(",")) {
                SyncPolicy policy = SyncPolicy.parse(name);
                run(engine, journalRoot.resolve(name + "-warmup"), policy, 10_000, threads, "warmup-" + name);
                Result r = run(engine, journalRoot.resolve(name), policy, fills, threads, "bench-" + name);
                print(r, threads);
                last = r;
            }
        } finally {
            try (StorageEngine cleanup = StorageEngine.create(
                            config.toBuilder().setMigrate(false).build());
                    Connection c = cleanup.dataSource().getConnection();
                    Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA IF EXISTS " + cleanup.quotedSchema() + " CASCADE");
            }
            deleteRecursively(journalRoot);
        }
        if (last != null) {
            System.out.printf(
                    Locale.ROOT,
                    "execution: store_p99_us=%d committed_per_s=%d%n",
                    last.percentile(0.99) / 1_000,
                    Math.round(last.fills() / last.seconds()));
        }
    }

    private static Result run(
            StorageEngine engine, Path journal, SyncPolicy policy, int fills, int threads, String market)
            throws Exception {
        long[] latencies = new long[fills];
        try (ExecutionStore store = ExecutionStore.builder()
                .storageEngine(engine)
                .journalDirectory(journal)
                .syncPolicy(policy)
                .build()) {
            Order order = Order.of("polymarket", market, Side.BUY, OrderType.LIMIT, new BigDecimal("1000000000"))
                    .withPrice(new BigDecimal("0.5"));
            store.storeOrder(order);
            store.flush();
            long syncsBefore = store.stats().journalSyncs();
            BigDecimal price = new BigDecimal("0.515");
            BigDecimal size = new BigDecimal("3.25");
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> workers = new ArrayList<>();
            int per = fills / threads;
            for (int t = 0; t < threads; t++) {
                int from = t * per;
                int to = t == threads - 1 ? fills : from + per;
                Thread w = new Thread(
                        () -> {
                            try {
                                start.await();
                            } catch (InterruptedException e) {
                                return;
                            }
                            for (int i = from; i < to; i++) {
                                Fill fill = Fill.of(order, "t-" + i, price, size);
                                long s = System.nanoTime();
                                store.storeFill(fill);
                                latencies[i] = System.nanoTime() - s;
                            }
                        },
                        "bench-" + t);
                w.start();
                workers.add(w);
            }
            // samples how many acknowledged records are not yet forced: what a machine crash could take at that moment
            java.util.concurrent.atomic.AtomicLong maxUnsynced = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.atomic.AtomicBoolean storing = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread sampler = new Thread(
                    () -> {
                        while (storing.get()) {
                            maxUnsynced.accumulateAndGet(store.stats().unsynced(), Math::max);
                            java.util.concurrent.locks.LockSupport.parkNanos(500_000);
                        }
                    },
                    "bench-unsynced-sampler");
            sampler.setDaemon(true);
            long begin = System.nanoTime();
            start.countDown();
            sampler.start();
            for (Thread w : workers) {
                w.join();
            }
            long stored = System.nanoTime();
            storing.set(false);
            sampler.join();
            store.flush();
            long committed = System.nanoTime();
            long syncs = store.stats().journalSyncs() - syncsBefore;
            if (!market.startsWith("warmup")) {
                System.out.printf(
                        Locale.ROOT,
                        "  %s: stored %d fills in %.2f s (%.0f/s), all committed after %.2f s; %d journal fsyncs; "
                                + "at most %d acknowledged fills not yet fsynced (sampled every 0.5 ms while "
                                + "storing); %d DB retries%n",
                        policy,
                        fills,
                        (stored - begin) / 1e9,
                        fills / ((stored - begin) / 1e9),
                        (committed - begin) / 1e9,
                        syncs,
                        maxUnsynced.get(),
                        store.stats().retries());
            }
            Arrays.sort(latencies);
            return new Result(policy, latencies, (committed - begin) / 1e9, fills, syncs);
        }
    }

    private static void print(Result r, int threads) {
        System.out.printf(
                Locale.ROOT,
                "sync=%-6s fills=%d threads=%d storeFill_us p50=%.1f p99=%.1f p999=%.1f max=%.1f committed_per_s=%d%n",
                r.policy().name().toLowerCase(Locale.ROOT),
                r.fills(),
                threads,
                r.percentile(0.50) / 1e3,
                r.percentile(0.99) / 1e3,
                r.percentile(0.999) / 1e3,
                r.latencies()[r.latencies().length - 1] / 1e3,
                Math.round(r.fills() / r.seconds()));
    }

    /** What one fdatasync of a small append costs on the journal's disk: the floor of sync always's latency. */
    private static void diskBaseline(Path dir) throws IOException {
        Path file = dir.resolve("fsync-baseline");
        long[] t = new long[2_000];
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(
                file,
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE,
                java.nio.file.StandardOpenOption.APPEND)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(200);
            for (int i = 0; i < t.length; i++) {
                b.clear();
                ch.write(b);
                long s = System.nanoTime();
                ch.force(false);
                t[i] = System.nanoTime() - s;
            }
        }
        Files.delete(file);
        Arrays.sort(t);
        System.out.printf(
                Locale.ROOT,
                "disk baseline: fdatasync of a 200-byte append p50=%.1f us p99=%.1f us p999=%.1f us%n",
                t[t.length / 2] / 1e3,
                t[(int) (t.length * 0.99)] / 1e3,
                t[(int) (t.length * 0.999)] / 1e3);
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
