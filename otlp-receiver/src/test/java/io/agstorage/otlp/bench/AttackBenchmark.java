package io.agstorage.otlp.bench;

import io.agstorage.core.SeriesLimits;
import io.agstorage.core.SeriesStats;
import io.agstorage.core.StorageConfig;
import io.agstorage.core.StorageEngine;
import io.agstorage.otlp.OtlpReceiver;
import io.agstorage.otlp.testing.ExportLoop;
import io.agstorage.otlp.testing.GoodClient;
import io.agstorage.otlp.testing.SeriesFlood;
import io.agstorage.otlp.testing.Slowloris;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

/**
 * {@code scripts/bench otlp-attack [series] [max_series]}: issue 13's attack against a receiver configured as the
 * standalone one (spool on, default connection limits) on the real database: 16 slowloris connections (8 dripping
 * request headers a byte every 200 ms, 8 dripping a body the same way; each opened again when cut) and a client
 * creating [series] (default 1,000,000) distinct series in OTLP/HTTP protobuf requests of 5,000 points over 20 metric
 * names, with {@code limits.max_series} [max_series] (default 200,000), while a well-behaved OTel SDK client
 * (OtlpHttpMetricExporter, JDK sender, 10 series) exports every 150 ms. The attack lasts until the flood is answered,
 * at least 40 s (past the receiver's 30 s request deadline, which cuts the slowloris connections). Prints the good
 * client's export latencies before and during the attack; last line
 * {@code otlp-attack: good_p99_ms=X good_failed=N series_created=N} (series_created: rows of the schema's series
 * table at the end, the good client's included).
 */
public final class AttackBenchmark {

    private static final String SCHEMA = "bench_otlp_attack";
    private static final Duration ATTACK_MIN = Duration.ofSeconds(40);

    private AttackBenchmark() {}

    public static void main(String[] args) throws Exception {
        String url = System.getenv("AG_STORAGE_BENCH_URL");
        if (url == null || url.isBlank()) {
            throw new IllegalStateException("AG_STORAGE_BENCH_URL is not set: run scripts/bench otlp-attack");
        }
        int series = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int maxSeries = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        System.setProperty(
                "io.opentelemetry.sdk.common.export.HttpSenderProvider",
                "io.opentelemetry.exporter.sender.jdk.internal.JdkHttpSenderProvider");
        try (Connection c = DriverManager.getConnection(url);
                Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        }
        Path spool = Files.createTempDirectory("bench-otlp-attack-spool");
        StorageConfig config = StorageConfig.builder()
                .setUrl(url)
                .setSchema(SCHEMA)
                .setEnableCache(false)
                .setLimits(SeriesLimits.builder().setMaxSeries(maxSeries).build())
                .build();
        try (StorageEngine engine = StorageEngine.create(config);
                OtlpReceiver receiver = OtlpReceiver.builder()
                        .setEngine(engine)
                        .setGrpcPort(-1)
                        .setHttpPort(0)
                        .setSpool(spool)
                        .start();
                GoodClient good = new GoodClient(receiver.httpPort(), 10, Duration.ofSeconds(10))) {
            System.err.println("[otlp-attack] " + receiver);
            ExportLoop loop = new ExportLoop(good, Duration.ofMillis(150));
            waitFor(Duration.ofSeconds(10)); // warm-up: its series created, the code paths compiled
            loop.reset();
            waitFor(Duration.ofSeconds(10));
            double quietP50 = loop.quantileMs(0.5);
            double quietP99 = loop.quantileMs(0.99);
            int quietExports = loop.exports();
            System.err.printf(
                    "[otlp-attack] good client, no attack: %d exports, p50 %.1f ms, p99 %.1f ms, failed %d%n",
                    quietExports, quietP50, quietP99, loop.failed());
            loop.reset();
            SeriesFlood flood = new SeriesFlood(receiver.httpPort(), series, 5_000, 20);
            long start = System.nanoTime();
            int cut;
            try (Slowloris slowloris = new Slowloris(receiver.httpPort(), 16, Duration.ofMillis(200))) {
                flood.run();
                // At least past the receiver's request deadline (30 s), so that it cuts every slowloris connection.
                long left = ATTACK_MIN.toNanos() - (System.nanoTime() - start);
                if (left > 0) {
                    waitFor(Duration.ofNanos(left));
                }
                cut = slowloris.cutConnections();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            loop.close();
            SeriesStats stats = engine.seriesStats();
            long created;
            try (Connection c = DriverManager.getConnection(url);
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT count(*) FROM " + SCHEMA + ".series")) {
                rs.next();
                created = rs.getLong(1);
            }
            System.err.printf(
                    "[otlp-attack] attack: %.1f s; flood sent %,d points (%,d series), refused %,d in partial "
                            + "success, statuses %s, %d requests unanswered; series refused by the engine: "
                            + "max_series %,d, max_series_per_metric %,d; slowloris connections cut %d times%n",
                    seconds,
                    flood.sent(),
                    series,
                    flood.refused(),
                    flood.statuses(),
                    flood.failed(),
                    stats.refusedMaxSeries(),
                    stats.refusedMaxSeriesPerMetric(),
                    cut);
            System.err.printf(
                    "[otlp-attack] good client under attack: %d exports, p50 %.1f ms, p99 %.1f ms, max %.1f ms, "
                            + "failed %d (no attack: p50 %.1f ms, p99 %.1f ms); limits.max_series=%,d%n",
                    loop.exports(),
                    loop.quantileMs(0.5),
                    loop.quantileMs(0.99),
                    loop.quantileMs(1.0),
                    loop.failed(),
                    quietP50,
                    quietP99,
                    maxSeries);
            System.out.printf(
                    "otlp-attack: good_p99_ms=%.1f good_failed=%d series_created=%d%n",
                    loop.quantileMs(0.99), loop.failed(), created);
        }
    }

    private static void waitFor(Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis()); // a measurement window, not synchronisation
    }
}
