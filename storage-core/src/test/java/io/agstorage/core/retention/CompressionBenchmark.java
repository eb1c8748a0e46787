package io.agstorage.core.retention;

import io.agstorage.core.StorageConfig;
import io.agstorage.core.StorageEngine;
import io.agstorage.core.TimescaleTier;
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
import java.util.Locale;

/**
 * {@code scripts/bench compression [days] [series] [histogram_series]} on the TSL tier: loads {@code days} (default 2)
 * of samples of {@code series} (default 500) gauges every 60 s and histograms of {@code histogram_series} (default 50)
 * series every 60 s (10 bounds, 11 counts) into a fresh schema, ending two days ago, server-side. Gauges look like
 * prices: a slow sine per series plus noise, two decimals; histogram counts are small random integers. Measures the
 * bytes per row (heap + indexes + TOAST of the hypertable, over its rows) before, compresses every chunk older than a
 * day with {@link RetentionManager#compressOldData()}, measures again, and prints what
 * {@link RetentionManager#checkCompressionStatus()} reports beside the figures measured here.
 *
 * <p>Last line: {@code compression: bytes_per_sample_before=<n> after=<n> ratio=<before/after>}, samples and
 * histograms together, as {@code checkCompressionStatus()} reports them.
 */
public final class CompressionBenchmark {

    private static final String SCHEMA = "ag_bench_compression";

    public static void main(String[] args) throws Exception {
        String url = System.getenv("AG_STORAGE_BENCH_TSL_URL");
        if (url == null) {
            throw new IllegalStateException("AG_STORAGE_BENCH_TSL_URL is not set: run scripts/bench compression");
        }
        int days = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int series = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        int histogramSeries = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        StorageConfig config = StorageConfig.builder()
                .setUrl(url)
                .setSchema(SCHEMA)
                .setMaxConnections(2)
                .setEnableCache(false)
                .build();
        try (Connection c = java.sql.DriverManager.getConnection(url);
                Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        }
        try (StorageEngine engine = StorageEngine.create(config)) {
            if (engine.capabilities().tier() != TimescaleTier.COMMUNITY) {
                throw new IllegalStateException(
                        "needs the TSL tier, found " + engine.capabilities().describe());
            }
            String s = engine.quotedSchema();
            Instant end = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(2));
            Instant start = end.minus(Duration.ofDays(days));
            long t0 = System.nanoTime();
            long samples;
            long histograms;
            try (Connection c = engine.dataSource().getConnection();
                    Statement st = c.createStatement()) {
                st.execute("INSERT INTO " + s + ".series (metric, labels) SELECT 'bench_price', "
                        + "jsonb_build_object('series', i::text) FROM generate_series(0, " + (series - 1) + ") i");
                st.execute("INSERT INTO " + s + ".series (metric, labels, type) SELECT 'bench_latency', "
                        + "jsonb_build_object('series', i::text), 'histogram' FROM generate_series(0, "
                        + (histogramSeries - 1) + ") i");
                samples = 0;
                histograms = 0;
                for (int d = 0; d < days; d++) {
                    Instant a = start.plus(Duration.ofDays(d));
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + s
                            + ".samples (time, series_id, value) SELECT t, r.id, round((100 + 10 * sin(extract(epoch "
                            + "FROM t) / 3600 + r.id) + random())::numeric, 2) FROM generate_series(?::timestamptz, "
                            + "?::timestamptz - INTERVAL '1 minute', INTERVAL '1 minute') t, " + s + ".series r WHERE "
                            + "r.metric = 'bench_price'")) {
                        ps.setObject(1, OffsetDateTime.ofInstant(a, ZoneOffset.UTC));
                        ps.setObject(2, OffsetDateTime.ofInstant(a.plus(Duration.ofDays(1)), ZoneOffset.UTC));
                        samples += ps.executeUpdate();
                    }
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + s
                            + ".histograms (time, series_id, count, sum, bucket_bounds, bucket_counts) "
                            + "SELECT t, r.id, (SELECT sum(x) FROM unnest(b.c) x), 0, "
                            + "ARRAY[1,2,5,10,20,50,100,200,500,1000]::float8[], b.c "
                            + "FROM generate_series(?::timestamptz, ?::timestamptz - INTERVAL '1 minute', "
                            + "INTERVAL '1 minute') t CROSS JOIN " + s + ".series r CROSS JOIN LATERAL (SELECT "
                            + "ARRAY(SELECT (random() * 20)::bigint FROM generate_series(0, 10) WHERE t IS NOT NULL "
                            + "AND r.id IS NOT NULL) AS c) b WHERE r.metric = 'bench_latency'")) {
                        ps.setObject(1, OffsetDateTime.ofInstant(a, ZoneOffset.UTC));
                        ps.setObject(2, OffsetDateTime.ofInstant(a.plus(Duration.ofDays(1)), ZoneOffset.UTC));
                        histograms += ps.executeUpdate();
                    }
                    log("loaded day %d/%d: %,d samples, %,d histograms", d + 1, days, samples, histograms);
                }
                st.execute("VACUUM ANALYZE " + s + ".samples");
                st.execute("VACUUM ANALYZE " + s + ".histograms");
            }
            log("loaded in %.0f s", (System.nanoTime() - t0) / 1e9);
            long samplesBefore = size(engine, "samples");
            long histogramsBefore = size(engine, "histograms");

            RetentionManager retention =
                    RetentionManager.builder(engine).setCompressionAfterDays(1).build();
            t0 = System.nanoTime();
            int chunks = retention.compressOldData();
            double seconds = (System.nanoTime() - t0) / 1e9;
            long samplesAfter = size(engine, "samples");
            long histogramsAfter = size(engine, "histograms");
            CompressionStatus status = retention.checkCompressionStatus();
            log("compressed %d chunks in %.0f s; checkCompressionStatus(): %s", chunks, seconds, status.describe());

            row("samples (measured here: hypertable_size / rows)", samples, samplesBefore, samplesAfter);
            row("histograms (measured here)", histograms, histogramsBefore, histogramsAfter);
            row(
                    "both (measured here)",
                    samples + histograms,
                    samplesBefore + histogramsBefore,
                    samplesAfter + histogramsAfter);
            for (CompressionStatus.TableCompression t : status.tables()) {
                row(t.table() + " (checkCompressionStatus)", t.rowsCompressed(), t.bytesBefore(), t.bytesAfter());
            }
            double before = status.bytesPerSampleBefore().orElseThrow();
            double after = status.bytesPerSampleAfter().orElseThrow();
            System.out.printf(
                    Locale.ROOT,
                    "compression: bytes_per_sample_before=%.1f after=%.1f ratio=%.1f%n",
                    before,
                    after,
                    before / after);
        }
    }

    private static void row(String what, long rows, long before, long after) {
        System.out.printf(
                Locale.ROOT,
                "compression: %-48s rows=%,d before=%,d B (%.1f B/row) after=%,d B (%.1f B/row) ratio=%.1f "
                        + "(%.0f%% smaller)%n",
                what,
                rows,
                before,
                (double) before / rows,
                after,
                (double) after / rows,
                (double) before / after,
                100.0 * (1 - (double) after / before));
    }

    /** Heap + indexes + TOAST of a hypertable's chunks (compressed chunks included). */
    private static long size(StorageEngine engine, String table) throws SQLException {
        try (Connection c = engine.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT hypertable_size(?::regclass)")) {
            ps.setString(1, engine.quotedSchema() + "." + table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, "[compression] " + format + "%n", args);
    }
}
