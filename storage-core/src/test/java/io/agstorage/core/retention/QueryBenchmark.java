package io.agstorage.core.retention;

import io.agstorage.core.Aggregation;
import io.agstorage.core.AggregationResult;
import io.agstorage.core.Bucket;
import io.agstorage.core.MetricRow;
import io.agstorage.core.StorageConfig;
import io.agstorage.core.StorageEngine;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * {@code scripts/bench query [days] [series] [step_seconds]}: loads {@code days} x {@code series} samples every
 * {@code step_seconds} (default 30 x 1,000 x 60 s = 43.2 M) into a dedicated schema, server-side
 * ({@code INSERT ... SELECT generate_series}, one day per statement), builds the rollups with
 * {@link RetentionManager#runRetention()}, and measures through {@link StorageEngine} (query cache off):
 * <ol>
 *   <li>1 hour of raw points of one series ({@code queryMetrics});</li>
 *   <li>30 days of hourly averages of one series from the rollup ({@code queryAggregated}, source metrics_hourly);</li>
 *   <li>the same from the raw hypertable ({@code queryAggregated} with the start 1 µs past the hour, which no
 *       rollup can answer exactly, so the engine reads {@code samples});</li>
 *   <li>1 hour of one series at 1 s ({@code bench_metric_1s}, 3,600 rows; 10 series over the last day);</li>
 *   <li>1 hour of the 100 series of one {@code group} label (6,000 rows at 60 s);</li>
 *   <li>the P99 of one series over the last 30 whole days, from {@code metrics_daily}'s sketches, its largest
 *       relative error against {@code percentile_cont} over the samples, and the same query from the samples.</li>
 * </ol>
 * The schema is kept and reused by the next run with the same sizes (drop it to reload).
 */
public final class QueryBenchmark {

    private static final String METRIC = "bench_metric";
    private static final String METRIC_1S = "bench_metric_1s";
    private static final int SERIES_1S = 10;

    public static void main(String[] args) throws Exception {
        String url = System.getenv("AG_STORAGE_BENCH_URL");
        if (url == null) {
            throw new IllegalStateException("AG_STORAGE_BENCH_URL is not set: run scripts/bench query");
        }
        int days = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int series = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        int step = args.length > 2 ? Integer.parseInt(args[2]) : 60;
        String schema = "ag_bench_query_" + days + "d_" + series + "s_" + step + "s";
        StorageConfig config = StorageConfig.builder()
                .setUrl(url)
                .setSchema(schema)
                .setMaxConnections(4)
                .setEnableCache(false)
                .setMetricsRetentionDays(Math.max(90, days + 30))
                // the benchmark runs retention itself, once the data is loaded: a scheduled run during the load would
                // move the rollups' watermark past days not loaded yet, which only a refresh of their range repairs
                .set("retention.enabled", "false")
                .build();
        try (StorageEngine engine = StorageEngine.create(config)) {
            Instant[] range = load(engine, days, series, step);
            Instant start = range[0];
            Instant end = range[1];
            long t0 = System.nanoTime();
            RetentionManager retention = RetentionManager.builder(engine)
                    .setMetricsRetentionDays(Math.max(90, days + 30))
                    .build();
            RetentionReport report = retention.runRetention();
            // a reused schema may hold rollups refreshed before all of it was loaded: refresh the loaded range
            retention.refreshRollups(start, end);
            log("rollups refreshed in %.1f s (%s)", (System.nanoTime() - t0) / 1e9, report.summary());
            long rows = count(engine, "SELECT count(*) FROM " + engine.quotedSchema() + ".samples");
            log(
                    "query: %,d samples (%d days x %,d series every %d s) in schema %s, %s .. %s",
                    rows, days, series, step, schema, start, end);

            Random random = new Random(42);
            Duration window = Duration.between(start, end);
            double[] raw1h = measure(30, 300, () -> {
                Instant from = start.plus(Duration.ofHours(random.nextInt((int) window.toHours())));
                List<MetricRow> result =
                        engine.queryMetrics(METRIC, from, from.plus(Duration.ofHours(1)), label(random, series));
                check(result.size() == 3_600 / step, "1 h of raw points: " + result.size());
            });
            Instant to = end.truncatedTo(ChronoUnit.HOURS);
            Instant from30 = to.minus(Duration.ofDays(Math.min(30, days)));
            double[] rollup = measure(20, 200, () -> {
                AggregationResult r = engine.queryAggregated(
                        METRIC, from30, to, Duration.ofHours(1), Aggregation.AVG, label(random, series));
                check(r.source().equals("metrics_hourly"), "source " + r.source());
                check(
                        r.buckets().size() == Math.min(30, days) * 24,
                        "buckets " + r.buckets().size());
            });
            double[] raw30d = measure(3, 40, () -> {
                AggregationResult r = engine.queryAggregated(
                        METRIC,
                        from30.plusNanos(1_000),
                        to,
                        Duration.ofHours(1),
                        Aggregation.AVG,
                        label(random, series));
                check(r.source().equals("samples"), "source " + r.source());
                check(
                        r.buckets().size() == Math.min(30, days) * 24,
                        "buckets " + r.buckets().size());
            });
            Instant end1s = end;
            double[] raw3600 = measure(30, 300, () -> {
                Instant from = end1s.minus(Duration.ofHours(1 + random.nextInt(23)));
                List<MetricRow> result = engine.queryMetrics(
                        METRIC_1S,
                        from,
                        from.plus(Duration.ofHours(1)),
                        Map.of("series", String.valueOf(random.nextInt(SERIES_1S))));
                check(result.size() == 3_600, "1 h at 1 s: " + result.size());
            });
            int groups = Math.max(1, series / 100);
            double[] labels100 = measure(30, 300, () -> {
                Instant from = start.plus(Duration.ofHours(random.nextInt((int) window.toHours())));
                List<MetricRow> result = engine.queryMetrics(
                        METRIC,
                        from,
                        from.plus(Duration.ofHours(1)),
                        Map.of("group", String.valueOf(random.nextInt(groups))));
                check(result.size() == Math.min(100, series) * 3_600 / step, "1 h of 100 series: " + result.size());
            });
            // a P99 over 30 days: from metrics_daily's sketches, from samples (1 us past the day: no rollup answers)
            Instant day = end.truncatedTo(ChronoUnit.DAYS);
            Instant pctFrom = day.minus(Duration.ofDays(Math.min(30, days)));
            Duration pctBucket = Duration.between(pctFrom, day);
            double[] pctErr = {0};
            List<Map.Entry<Map<String, String>, AggregationResult>> answers = new java.util.ArrayList<>();
            double[] pct = measure(20, 200, () -> {
                Map<String, String> label = label(random, series);
                AggregationResult r = engine.queryAggregated(METRIC, pctFrom, day, pctBucket, Aggregation.P99, label);
                check(r.source().equals("metrics_daily"), "source " + r.source());
                answers.add(Map.entry(label, r));
            });
            // the error, outside the timed part: every 10th answer against percentile_cont over its samples
            for (int a = 0; a < answers.size(); a += 10) {
                AggregationResult r = answers.get(a).getValue();
                List<Bucket> exact =
                        exactP99(engine, pctFrom, day, pctBucket, answers.get(a).getKey());
                check(
                        r.buckets().size() == exact.size(),
                        "buckets " + r.buckets().size() + " vs " + exact.size());
                for (int i = 0; i < exact.size(); i++) {
                    double e = exact.get(i).value();
                    pctErr[0] = Math.max(pctErr[0], Math.abs(r.buckets().get(i).value() - e) / Math.abs(e));
                }
            }
            double[] pctRaw = measure(3, 40, () -> {
                AggregationResult r = engine.queryAggregated(
                        METRIC, pctFrom.plusNanos(1_000), day, pctBucket, Aggregation.P99, label(random, series));
                check(r.source().equals("samples"), "source " + r.source());
            });
            print("raw 1 h, one series (queryMetrics, " + 3_600 / step + " rows)", raw1h);
            print("raw 1 h, one series at 1 s (queryMetrics, 3,600 rows)", raw3600);
            print("raw 1 h, 100 series by label (" + Math.min(100, series) * 3_600 / step + " rows)", labels100);
            print("30 d P99, one series, from metrics_daily sketches", pct);
            print("30 d P99, one series, from samples", pctRaw);
            System.out.printf(
                    Locale.ROOT,
                    "query: 30 d P99 from the rollup: max relative error %.5f vs percentile_cont over samples, "
                            + "p50 %.1fx faster%n",
                    pctErr[0],
                    p(pctRaw, 50) / p(pct, 50));
            print("30 d hourly avg, one series, from metrics_hourly", rollup);
            print("30 d hourly avg, one series, from samples", raw30d);
            double speedup = p(raw30d, 50) / p(rollup, 50);
            System.out.printf(
                    Locale.ROOT,
                    "query: rollup vs raw 30 d: p50 %.1fx, p99 %.1fx faster%n",
                    speedup,
                    p(raw30d, 99) / p(rollup, 99));
            System.out.printf(
                    Locale.ROOT,
                    "query: raw_1h_p99_ms=%.2f rollup_30d_p99_ms=%.2f speedup=%.1f raw_3600_p99_ms=%.2f "
                            + "labels_100_p99_ms=%.2f pct_30d_p99_ms=%.2f pct_err=%.4f%n",
                    p(raw1h, 99),
                    p(rollup, 99),
                    speedup,
                    p(raw3600, 99),
                    p(labels100, 99),
                    p(pct, 99),
                    pctErr[0]);
        }
    }

    /** The exact P99 per bucket ({@code percentile_cont} over the samples), bucketed as the engine buckets. */
    private static List<Bucket> exactP99(
            StorageEngine engine, Instant from, Instant to, Duration bucket, Map<String, String> labels)
            throws SQLException {
        String s = engine.quotedSchema();
        try (Connection c = engine.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT time_bucket(? * INTERVAL '1 microsecond', x.time) b, "
                        + "percentile_cont(0.99) WITHIN GROUP (ORDER BY x.value) FROM " + s + ".samples x WHERE "
                        + "x.series_id = ANY (ARRAY(SELECT id FROM " + s + ".series WHERE metric = ? AND labels @> "
                        + "?::jsonb)) "
                        + "AND x.time >= ? AND x.time < ? GROUP BY b ORDER BY b")) {
            ps.setLong(1, bucket.toNanos() / 1_000);
            ps.setString(2, METRIC);
            ps.setString(3, "{\"series\":\"" + labels.get("series") + "\"}");
            ps.setObject(4, OffsetDateTime.ofInstant(from, ZoneOffset.UTC));
            ps.setObject(5, OffsetDateTime.ofInstant(to, ZoneOffset.UTC));
            List<Bucket> buckets = new java.util.ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    buckets.add(new Bucket(rs.getObject(1, OffsetDateTime.class).toInstant(), rs.getDouble(2)));
                }
            }
            return buckets;
        }
    }

    private static Map<String, String> label(Random random, int series) {
        return Map.of("series", String.valueOf(random.nextInt(series)));
    }

    /** Loads the data unless a previous run left it complete; returns its [start, end). */
    private static Instant[] load(StorageEngine engine, int days, int series, int step) throws SQLException {
        String s = engine.quotedSchema();
        try (Connection c = engine.dataSource().getConnection();
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS " + s
                    + ".bench_info (start_time timestamptz NOT NULL, end_time timestamptz NOT NULL, "
                    + "samples bigint NOT NULL, load_seconds double precision NOT NULL)");
            try (ResultSet rs =
                    st.executeQuery("SELECT start_time, end_time, samples, load_seconds FROM " + s + ".bench_info")) {
                if (rs.next()) {
                    log(
                            "reusing %,d samples loaded earlier in %.0f s (drop schema %s to reload)",
                            rs.getLong(3), rs.getDouble(4), engine.config().schema());
                    Instant[] range = {
                        rs.getObject(1, OffsetDateTime.class).toInstant(),
                        rs.getObject(2, OffsetDateTime.class).toInstant()
                    };
                    // schemas loaded by an earlier version: the group label and the 1 s series
                    st.execute("UPDATE " + s + ".series SET labels = labels || jsonb_build_object('group', "
                            + "((labels->>'series')::int / 100)::text) WHERE metric = '" + METRIC
                            + "' AND labels->>'group' IS NULL");
                    loadOneSecond(c, s, range[1]);
                    return range;
                }
            }
            st.execute("TRUNCATE " + s + ".samples, " + s + ".metrics_hourly, " + s + ".metrics_daily, " + s
                    + ".rollup_watermarks");
            st.execute("DELETE FROM " + s + ".series WHERE metric = '" + METRIC + "'");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + s + ".series (metric, labels) SELECT ?, "
                    + "jsonb_build_object('series', i::text, 'group', (i / 100)::text) "
                    + "FROM generate_series(0, ? - 1) i")) {
                ps.setString(1, METRIC);
                ps.setInt(2, series);
                ps.executeUpdate();
            }
            Instant end = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(1));
            Instant start = end.minus(Duration.ofDays(days));
            long t0 = System.nanoTime();
            long total = 0;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + s + ".samples (time, series_id, value) "
                    + "SELECT t, r.id, ((extract(epoch FROM t)::bigint / ? + r.id * 7) % 1000) / 8.0 "
                    + "FROM generate_series(?::timestamptz, ?::timestamptz - ? * INTERVAL '1 second', ? * INTERVAL "
                    + "'1 second') t, "
                    + s + ".series r WHERE r.metric = ?")) {
                for (int d = 0; d < days; d++) {
                    Instant a = start.plus(Duration.ofDays(d));
                    ps.setInt(1, step);
                    ps.setObject(2, OffsetDateTime.ofInstant(a, ZoneOffset.UTC));
                    ps.setObject(3, OffsetDateTime.ofInstant(a.plus(Duration.ofDays(1)), ZoneOffset.UTC));
                    ps.setInt(4, step);
                    ps.setInt(5, step);
                    ps.setString(6, METRIC);
                    total += ps.executeUpdate();
                    log("loaded day %d/%d: %,d samples, %.0f s", d + 1, days, total, (System.nanoTime() - t0) / 1e9);
                }
            }
            loadOneSecond(c, s, end);
            st.execute("ANALYZE " + s + ".samples");
            st.execute("ANALYZE " + s + ".series");
            double seconds = (System.nanoTime() - t0) / 1e9;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + s + ".bench_info VALUES (?, ?, ?, ?)")) {
                ps.setObject(1, OffsetDateTime.ofInstant(start, ZoneOffset.UTC));
                ps.setObject(2, OffsetDateTime.ofInstant(end, ZoneOffset.UTC));
                ps.setLong(3, total);
                ps.setDouble(4, seconds);
                ps.executeUpdate();
            }
            log(
                    "loaded %,d samples in %.0f s (%,.0f rows/s, server-side INSERT ... SELECT generate_series)",
                    total, seconds, total / seconds);
            return new Instant[] {start, end};
        }
    }

    /**
     * {@value #METRIC_1S}: {@value #SERIES_1S} series with one sample a second over the last day before {@code end}
     * (864,000 samples), unless present.
     */
    private static void loadOneSecond(Connection c, String s, Instant end) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + s + ".series WHERE metric = ?")) {
            ps.setString(1, METRIC_1S);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    return;
                }
            }
        }
        long t0 = System.nanoTime();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + s + ".series (metric, labels) SELECT ?, "
                + "jsonb_build_object('series', i::text) FROM generate_series(0, ? - 1) i")) {
            ps.setString(1, METRIC_1S);
            ps.setInt(2, SERIES_1S);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + s + ".samples (time, series_id, value) "
                + "SELECT t, r.id, exp(2 + random()) FROM generate_series(?::timestamptz - INTERVAL '1 day', "
                + "?::timestamptz - INTERVAL '1 second', INTERVAL '1 second') t, " + s
                + ".series r WHERE r.metric = ?")) {
            ps.setObject(1, OffsetDateTime.ofInstant(end, ZoneOffset.UTC));
            ps.setObject(2, OffsetDateTime.ofInstant(end, ZoneOffset.UTC));
            ps.setString(3, METRIC_1S);
            long rows = ps.executeUpdate();
            log("loaded %,d samples of %s (1 s apart) in %.0f s", rows, METRIC_1S, (System.nanoTime() - t0) / 1e9);
        }
    }

    private static long count(StorageEngine engine, String sql) throws SQLException {
        try (Connection c = engine.dataSource().getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private interface Query {
        void run() throws Exception;
    }

    private static double[] measure(int warmup, int iterations, Query query) throws Exception {
        for (int i = 0; i < warmup; i++) {
            query.run();
        }
        double[] ms = new double[iterations];
        for (int i = 0; i < iterations; i++) {
            long t0 = System.nanoTime();
            query.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms;
    }

    /** The nearest-rank percentile of sorted values. */
    private static double p(double[] sorted, int percentile) {
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static void print(String what, double[] ms) {
        System.out.printf(
                Locale.ROOT,
                "query: %-52s n=%d p50=%.2f ms p99=%.2f ms max=%.2f ms%n",
                what,
                ms.length,
                p(ms, 50),
                p(ms, 99),
                ms[ms.length - 1]);
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new IllegalStateException("unexpected answer: " + what);
        }
    }

    private static void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, "[query] " + format + "%n", args);
    }
}
