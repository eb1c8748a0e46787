package io.agstorage.core.bench;

import io.agstorage.core.MetricPoint;
import io.agstorage.core.MetricSeries;
import io.agstorage.core.StorageConfig;
import io.agstorage.core.StorageEngine;
import io.agstorage.core.json.LabelsJson;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * {@code scripts/bench cardinality [series] [points_per_series]} (default 1,000,000 x 2): the same rows, each series
 * distinct (metric {@code bench_card}, labels host / region / venue), written in one run
 * <ol>
 *   <li>(a) by binary COPY of pre-encoded rows into the engine's own tables (its migrations create them, so with the
 *       same indexes): one {@code series} row per series, then the {@code (time, series_id, value)} samples (the
 *       limit: the rows (b) and (c) write, as fast as PostgreSQL takes them); (a0), for context, the samples alone,
 *       as if every series existed;</li>
 *   <li>(b) by {@code insertMetricsBatch}, batches of 10,000 points (only the calls are timed, not building the
 *       points), every series new to the database;</li>
 *   <li>(c) by {@code MetricSeries.record} from 2 producer threads holding one handle per series, until committed
 *       (the handles are created before the clock starts; resolving the series in the database is timed).</li>
 * </ol>
 * The limits are raised through the configuration, as a user would ({@code limits.max_series: 2000000},
 * {@code limits.max_series_per_metric: 2000000}); {@code limits.max_cached_series} keeps its default (100,000). The
 * heap held per series is measured in (c): used heap after full GCs with the engine started, then with every handle
 * held and every series written; and again after the handles are dropped (what the engine itself keeps).
 *
 * <p>Last line: {@code cardinality: series=<n> batch/copy=<r> record/copy=<r> heap_bytes_per_series=<n>}.
 */
public final class CardinalityBenchmark {

    private static final long T0_MICROS = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli() * 1_000;
    private static final long POSTGRES_EPOCH_OFFSET_MICROS = 946_684_800_000_000L;
    private static final int BATCH = 10_000;

    private final String url;
    private final int series;
    private final int points;

    private CardinalityBenchmark(String url, int series, int points) {
        this.url = url;
        this.series = series;
        this.points = points;
    }

    public static void main(String[] args) throws Exception {
        String url = System.getenv("AG_STORAGE_BENCH_URL");
        if (url == null) {
            throw new IllegalStateException("AG_STORAGE_BENCH_URL is not set: run scripts/bench cardinality");
        }
        int series = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int points = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        new CardinalityBenchmark(url, series, points).run();
    }

    private void run() throws Exception {
        long rows = (long) series * points;
        System.out.printf(Locale.ROOT, "cardinality: %,d series x %d points = %,d rows%n", series, points, rows);
        double samplesOnly = copy(false);
        System.out.printf(
                Locale.ROOT,
                "(a0) binary COPY of the samples alone    %,12.0f rows/s (as if every series existed)%n",
                samplesOnly);
        double copy = copy(true);
        System.out.printf(
                Locale.ROOT,
                "(a) binary COPY, series then samples     %,12.0f rows/s (%.2f x (a0))%n",
                copy,
                copy / samplesOnly);
        double batch = batch();
        System.out.printf(
                Locale.ROOT,
                "(b) insertMetricsBatch, 10,000 a call   %,12.0f rows/s (%.2f x COPY)%n",
                batch,
                batch / copy);
        double[] record = record();
        System.out.printf(
                Locale.ROOT,
                "(c) MetricSeries.record, 2 threads      %,12.0f rows/s (%.2f x COPY)%n",
                record[0],
                record[0] / copy);
        System.out.printf(
                Locale.ROOT,
                "    heap held per series: %.0f bytes with every handle held (%,d series); %.0f bytes once the "
                        + "handles are dropped (the engine's own: registry bounded by limits.max_cached_series)%n",
                record[1],
                series,
                record[2]);
        System.out.printf(
                Locale.ROOT,
                "    against (a0): batch %.2f, record %.2f%n",
                batch / samplesOnly,
                record[0] / samplesOnly);
        System.out.printf(
                Locale.ROOT,
                "cardinality: series=%d batch/copy=%.2f record/copy=%.2f heap_bytes_per_series=%.0f%n",
                series,
                batch / copy,
                record[0] / copy,
                record[1]);
    }

    private static long micros(int round) {
        return T0_MICROS + round * 1_000_000L;
    }

    private static Map<String, String> labels(int s) {
        return Map.of("host", "host-" + s, "region", "r" + s % 10, "venue", "v" + s % 3);
    }

    private StorageConfig config(String schema) {
        return StorageConfig.fromYaml("database:\n  url: \"" + url + "\"\n  schema: " + schema + "\n"
                + "ingestion:\n  batch_size: 10000\n  max_buffer_size: 262144\n  write_timeout_ms: 600000\n"
                + "query:\n  enable_cache: false\n"
                + "limits:\n  max_series: 2000000\n  max_series_per_metric: 2000000\n"
                // the rows are dated 2026-01-01, past metrics retention: the engine's scheduler, 30 s after start,
                // would drop their chunks in the middle of the count
                + "retention:\n  enabled: false\n");
    }

    private void execute(String... sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url);
                Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    private long startClock() throws SQLException {
        execute("CHECKPOINT");
        return System.nanoTime();
    }

    /**
     * Rows of samples per second by binary COPY of pre-encoded rows into the engine's own tables (created by its
     * migrations, so with the same indexes): {@code withSeries} first copies one {@code series} row per series (the
     * rows (b) and (c) create), then the samples that reference them; without it, only the samples, as if every series
     * existed.
     */
    private double copy(boolean withSeries) throws Exception {
        execute("DROP SCHEMA IF EXISTS bench_card_copy CASCADE");
        try (StorageEngine engine = StorageEngine.create(config("bench_card_copy"))) {
            // the engine only creates the schema here
        }
        byte[] seriesRows = withSeries ? encodeSeries() : null;
        byte[] sampleRows = encodeSamples();
        double seconds;
        try (Connection c = DriverManager.getConnection(url)) {
            long start = startClock();
            if (seriesRows != null) {
                copyIn(c, "COPY bench_card_copy.series (metric, labels, type) FROM STDIN (FORMAT binary)", seriesRows);
            }
            copyIn(c, "COPY bench_card_copy.samples FROM STDIN (FORMAT binary)", sampleRows);
            seconds = (System.nanoTime() - start) / 1e9;
            if (seriesRows != null) {
                long matched = count("SELECT count(*) FROM bench_card_copy.series WHERE id BETWEEN 1 AND " + series);
                if (matched != series) {
                    throw new IllegalStateException("(a) series ids are not 1.." + series + ": " + matched);
                }
            }
        }
        execute("DROP SCHEMA bench_card_copy CASCADE");
        return (double) series * points / seconds;
    }

    private static void copyIn(Connection c, String sql, byte[] rows) throws SQLException {
        CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
        int chunk = 1 << 20;
        for (int off = 0; off < rows.length; off += chunk) {
            copy.writeToCopy(rows, off, Math.min(chunk, rows.length - off));
        }
        copy.endCopy();
    }

    /** {@code series (metric, labels, type)} rows, ids 1..n in order of the identity column. */
    private byte[] encodeSeries() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(series * 90 + 32);
        DataOutputStream out = header(bytes);
        byte[] metric = "bench_card".getBytes(StandardCharsets.UTF_8);
        byte[] type = "gauge".getBytes(StandardCharsets.UTF_8);
        for (int s = 0; s < series; s++) {
            byte[] labels = LabelsJson.write(labels(s)).getBytes(StandardCharsets.UTF_8);
            out.writeShort(3);
            out.writeInt(metric.length);
            out.write(metric);
            out.writeInt(labels.length + 1);
            out.writeByte(1); // jsonb binary format version
            out.write(labels);
            out.writeInt(type.length);
            out.write(type);
        }
        out.writeShort(-1);
        return bytes.toByteArray();
    }

    private byte[] encodeSamples() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(series * points * 38 + 32);
        DataOutputStream out = header(bytes);
        for (int r = 0; r < points; r++) {
            for (int s = 0; s < series; s++) {
                out.writeShort(3);
                out.writeInt(8);
                out.writeLong(micros(r) - POSTGRES_EPOCH_OFFSET_MICROS);
                out.writeInt(8);
                out.writeLong(s + 1);
                out.writeInt(8);
                out.writeDouble(r * 0.5 + s % 100);
            }
        }
        out.writeShort(-1);
        return bytes.toByteArray();
    }

    private static DataOutputStream header(ByteArrayOutputStream bytes) throws IOException {
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeBytes("PGCOPY\n");
        out.write(new byte[] {(byte) 0xff, '\r', '\n', 0});
        out.writeInt(0);
        out.writeInt(0);
        return out;
    }

    private double batch() throws Exception {
        execute("DROP SCHEMA IF EXISTS bench_card_batch CASCADE");
        try (StorageEngine engine = StorageEngine.create(config("bench_card_batch"))) {
            long timed = 0;
            startClock();
            for (int r = 0; r < points; r++) {
                for (int first = 0; first < series; first += BATCH) {
                    List<MetricPoint> batch = new ArrayList<>(BATCH);
                    for (int s = first; s < Math.min(series, first + BATCH); s++) {
                        batch.add(MetricPoint.of("bench_card", r * 0.5 + s % 100)
                                .withLabels(labels(s))
                                .at(Instant.ofEpochSecond(0, micros(r) * 1_000)));
                    }
                    long t = System.nanoTime();
                    engine.insertMetricsBatch(batch);
                    timed += System.nanoTime() - t;
                }
                log("(b) round %d/%d written, %.1f s in insertMetricsBatch so far", r + 1, points, timed / 1e9);
            }
            return (double) series * points / (timed / 1e9);
        } finally {
            execute("DROP SCHEMA IF EXISTS bench_card_batch CASCADE");
        }
    }

    /** rows/s, heap bytes per series with the handles held, heap bytes per series once they are dropped. */
    private double[] record() throws Exception {
        execute("DROP SCHEMA IF EXISTS bench_card_record CASCADE");
        try (StorageEngine engine = StorageEngine.create(config("bench_card_record"))) {
            long baseline = usedHeap();
            MetricSeries[] handles = new MetricSeries[series];
            for (int s = 0; s < series; s++) {
                handles[s] = engine.series("bench_card", labels(s));
            }
            CountDownLatch go = new CountDownLatch(1);
            long[] refused = new long[2];
            Thread[] producers = new Thread[2];
            for (int p = 0; p < 2; p++) {
                int first = p;
                producers[p] = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int r = 0; r < points; r++) {
                        for (int s = first; s < series; s += 2) {
                            while (!handles[s].record(r * 0.5 + s % 100, micros(r))) {
                                refused[first]++;
                                LockSupport.parkNanos(100_000);
                            }
                        }
                    }
                });
                producers[p].start();
            }
            long start = startClock();
            go.countDown();
            for (Thread t : producers) {
                t.join();
            }
            engine.flushBuffer();
            double seconds = (System.nanoTime() - start) / 1e9;
            log(
                    "(c) %.1f s; producers found the buffer full %,d times (they retried); engine: %s",
                    seconds, refused[0] + refused[1], engine.seriesStats());
            long held = usedHeap();
            long stored = count("SELECT count(*) FROM bench_card_record.samples");
            if (stored != (long) series * points) {
                throw new IllegalStateException("(c) stored " + stored + " rows, expected " + (long) series * points
                        + "; " + engine.ingestionStats() + "; dead letters: "
                        + count("SELECT count(*) FROM bench_card_record.dead_letters") + ", distinct series stored: "
                        + count("SELECT count(DISTINCT series_id) FROM bench_card_record.samples") + ", at id 0: "
                        + count("SELECT count(*) FROM bench_card_record.samples WHERE series_id = 0"));
            }
            double perSeriesHeld = (double) (held - baseline) / series;
            java.util.Arrays.fill(handles, null);
            double perSeriesEngine = (double) (usedHeap() - baseline) / series;
            return new double[] {(double) series * points / seconds, perSeriesHeld, perSeriesEngine};
        } finally {
            execute("DROP SCHEMA IF EXISTS bench_card_record CASCADE");
        }
    }

    private long count(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Used heap after full collections (System.gc() until it stops shrinking). */
    private static long usedHeap() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            long now = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            if (now >= used) {
                return now;
            }
            used = now;
        }
        return used;
    }

    private static void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, "[cardinality] " + format + "%n", args);
    }
}
