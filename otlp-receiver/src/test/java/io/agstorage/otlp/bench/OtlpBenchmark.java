package io.agstorage.otlp.bench;

import io.agstorage.core.IngestionStats;
import io.agstorage.core.StorageConfig;
import io.agstorage.core.StorageEngine;
import io.agstorage.core.journal.SyncPolicy;
import io.agstorage.otel.mapping.CumulativeState;
import io.agstorage.otlp.OtlpReceiver;
import io.agstorage.otlp.internal.OtlpIngest;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * {@code scripts/bench otlp}: the OTel Java SDK's OTLP exporters sending to the receiver on loopback (1,000 series in
 * one SDK instance, or split over several exporting in parallel; each export a cumulative sum per series, answered once
 * spooled or after the commit), beside the raw binary COPY limit of pre-encoded (time, series_id, value) rows into a
 * fresh hypertable, same run. Every measured run writes into emptied tables, as the COPY limit does into a fresh one.
 */
public final class OtlpBenchmark {

    private static final int SERIES = 1_000;
    /**
     * Unmeasured exports before the headline runs. The per-request code of the SDK, the JDK HTTP client and server and
     * the receiver runs once per export and reaches C2 only after thousands: after 2,000 warm-up exports the C2
     * compiler threads still used 0.5 to 0.75 s of CPU in a 2.5 s measured window (printed by each run), after 15,000
     * 0.1 to 0.5 s. A receiver runs for days: the steady state is what is measured.
     */
    private static final int HEADLINE_WARM_UP = 15_000;

    private static final int FLEET_CLIENTS = 8;
    private static final int FLEET_SERIES = 250;
    /**
     * Per client: as many warm-up points in all as the headline's (15,000 x 1,000). The receiver's per-point code
     * (decode, map, spool) reaches C2 by points, not requests: with 2,000 per client the C2 compiler threads still
     * used 1.8 to 2.7 s of CPU in the measured window.
     */
    private static final int FLEET_WARM_UP = HEADLINE_WARM_UP * SERIES / (FLEET_CLIENTS * FLEET_SERIES);

    private static final String SENDER_PROPERTY = "io.opentelemetry.sdk.common.export.HttpSenderProvider";
    private static final String JDK_SENDER = "io.opentelemetry.exporter.sender.jdk.internal.JdkHttpSenderProvider";
    private static final String OKHTTP_SENDER =
            "io.opentelemetry.exporter.sender.okhttp.internal.OkHttpHttpSenderProvider";
    private static final long POSTGRES_EPOCH_OFFSET_MICROS = 946_684_800_000_000L;

    private final String url;

    private OtlpBenchmark(String url) {
        this.url = url;
    }

    public static void main(String[] args) throws Exception {
        String url = System.getenv("AG_STORAGE_BENCH_URL");
        if (url == null || url.isBlank()) {
            throw new IllegalStateException("AG_STORAGE_BENCH_URL is not set: run scripts/bench otlp");
        }
        int exports = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        OtlpBenchmark bench = new OtlpBenchmark(url);
        double copy = bench.copyLimit(2_000_000);
        System.err.printf("[otlp] binary COPY, pre-encoded rows: %,.0f rows/s%n", copy);
        String runs = System.getenv("OTLP_BENCH_RUNS");
        if ("fleet".equals(runs) || "headline".equals(runs) || "headline,fleet".equals(runs)) {
            double fleet = runs.contains("fleet") ? bench.fleet(exports, copy) : Double.NaN;
            double spooled = runs.startsWith("headline")
                    ? bench.otlp("http", JDK_SENDER, 1, SERIES, HEADLINE_WARM_UP, exports, SyncPolicy.BATCH)
                    : Double.NaN;
            if (!Double.isNaN(spooled)) {
                System.err.printf(
                        "[otlp] OTLP/HTTP protobuf, SDK JDK sender, 1 client x 1,000 series, answered once spooled "
                                + "(sync batch): %,.0f points/s committed%n",
                        spooled);
            }
            // The COPY limit again: the machine's neighbours and the kernel's writeback of earlier runs slowed one
            // measurement by up to 2x here. The better of the two is the limit the ratios are taken against.
            double copyAfter = bench.copyLimit(2_000_000);
            double limit = Math.max(copy, copyAfter);
            System.err.printf(
                    "[otlp] binary COPY again: %,.0f rows/s; the limit below: %,.0f rows/s%n", copyAfter, limit);
            String headline = Double.isNaN(spooled)
                    ? ""
                    : String.format(Locale.ROOT, " points_per_s=%.0f vs_copy=%.2f", spooled, spooled / limit);
            String fleetRatio =
                    Double.isNaN(fleet) ? "" : String.format(Locale.ROOT, " fleet_vs_copy=%.2f", fleet / limit);
            System.out.printf(Locale.ROOT, "otlp:%s%s copy_rows_per_s=%.0f%n", headline, fleetRatio, limit);
            return;
        }
        double fleet = bench.fleet(exports, copy);
        // The SDK's default sender (OkHttp) leaves Nagle's algorithm on: each request then waits ~40 ms for the
        // receiver's delayed ACK, whatever the receiver does. Go clients (the Collector) and the JDK sender do not.
        double okhttp = bench.otlp("http", OKHTTP_SENDER, 1, SERIES, Math.max(10, exports / 10));
        System.err.printf(
                "[otlp] OTLP/HTTP protobuf, SDK default OkHttp sender, 1 client: %,.0f points/s committed (%.2f x "
                        + "the first COPY)%n",
                okhttp, okhttp / copy);
        double grpc = bench.otlp("grpc", OKHTTP_SENDER, 1, SERIES, Math.max(10, exports / 10));
        System.err.printf(
                "[otlp] OTLP/gRPC, SDK default OkHttp sender, 1 client: %,.0f points/s committed (%.2f x the first "
                        + "COPY)%n",
                grpc, grpc / copy);
        double parallel = bench.otlp("http", JDK_SENDER, 4, SERIES / 4, exports);
        System.err.printf(
                "[otlp] OTLP/HTTP protobuf, SDK JDK sender, 4 clients x 250 series: %,.0f points/s committed (%.2f x "
                        + "the first COPY)%n",
                parallel, parallel / copy);
        // Not the issue's scenario (4,000 series): four services of 1,000 series each exporting at once, as behind a
        // Collector. Concurrent exports let the engine's writer commit several requests in one transaction.
        double services = bench.otlp("http", JDK_SENDER, 4, SERIES, Math.max(5, exports / 4));
        System.err.printf(
                "[otlp] OTLP/HTTP protobuf, SDK JDK sender, 4 clients x 1,000 series (4,000 series, NOT the headline): "
                        + "%,.0f points/s committed (%.2f x the first COPY)%n",
                services, services / copy);
        // The database's own rate when each 1,000 rows are one statement and one commit, as one export's are.
        double copyPerExport = bench.copyLimit(1_000_000, SERIES);
        System.err.printf(
                "[otlp] binary COPY, pre-encoded rows, one auto-committed statement per 1,000 rows (the database's "
                        + "bound for export-sized commits): %,.0f rows/s (%.2f x the first COPY)%n",
                copyPerExport, copyPerExport / copy);
        double alone = bench.receiverAlone(exports);
        System.err.printf(
                "[otlp] receiver alone (pre-encoded 1,000-point requests decoded, mapped, committed one after another; "
                        + "no SDK, no HTTP; NOT the headline): %,.0f points/s committed (%.2f x the first COPY)%n",
                alone, alone / copy);
        double http = bench.otlp("http", JDK_SENDER, 1, SERIES, HEADLINE_WARM_UP, exports, null);
        System.err.printf(
                "[otlp] OTLP/HTTP protobuf, SDK JDK sender, 1 client x 1,000 series, answered after the commit: "
                        + "%,.0f points/s committed (%.2f x the first COPY)%n",
                http, http / copy);
        double always = bench.otlp("http", JDK_SENDER, 1, SERIES, HEADLINE_WARM_UP, exports, SyncPolicy.ALWAYS);
        System.err.printf(
                "[otlp] OTLP/HTTP protobuf, SDK JDK sender, 1 client x 1,000 series, answered once spooled and "
                        + "fsynced (sync always): %,.0f points/s committed (%.2f x the first COPY)%n",
                always, always / copy);
        double spooled = bench.otlp("http", JDK_SENDER, 1, SERIES, HEADLINE_WARM_UP, exports, SyncPolicy.BATCH);
        System.err.printf(
                "[otlp] OTLP/HTTP protobuf, SDK JDK sender, 1 client x 1,000 series, answered once spooled (sync "
                        + "batch): %,.0f points/s committed (%.2f x the first COPY)%n",
                spooled, spooled / copy);
        double limit = Math.max(copy, bench.copyLimit(2_000_000));
        System.err.printf("[otlp] binary COPY again; the limit below: %,.0f rows/s%n", limit);
        System.out.printf(
                "otlp: copy_rows_per_s=%.0f copy_1000_row_statements_rows_per_s=%.0f "
                        + "http_jdk_after_commit_points_per_s=%.0f "
                        + "http_jdk_spooled_always_points_per_s=%.0f http_jdk_4clients_points_per_s=%.0f "
                        + "http_jdk_4x1000series_points_per_s=%.0f "
                        + "receiver_alone_points_per_s=%.0f http_okhttp_points_per_s=%.0f "
                        + "grpc_okhttp_points_per_s=%.0f%n",
                limit, copyPerExport, http, always, parallel, services, alone, okhttp, grpc);
        System.out.printf(
                "otlp: points_per_s=%.0f vs_copy=%.2f fleet_vs_copy=%.2f%n", spooled, spooled / limit, fleet / limit);
    }

    /**
     * The fleet: {@value #FLEET_CLIENTS} SDK instances x {@value #FLEET_SERIES} series exporting at once over
     * OTLP/HTTP (JDK sender) to one receiver answering once spooled (sync batch), {@code exports / 2} measured exports
     * each (as many points as the headline) after {@value #FLEET_WARM_UP} unmeasured ones each.
     */
    private double fleet(int exports, double copy) throws Exception {
        double fleet = otlp(
                "http",
                JDK_SENDER,
                FLEET_CLIENTS,
                FLEET_SERIES,
                FLEET_WARM_UP,
                Math.max(1, exports * SERIES / (FLEET_CLIENTS * FLEET_SERIES)),
                SyncPolicy.BATCH);
        System.err.printf(
                "[otlp] fleet: OTLP/HTTP protobuf, SDK JDK sender, 8 clients x 250 series at once, answered once "
                        + "spooled (sync batch): %,.0f points/s committed (%.2f x the first COPY)%n",
                fleet, fleet / copy);
        return fleet;
    }

    /**
     * {@code exports} rounds per client, each client exporting its {@code seriesPerClient} series once per round;
     * answered after the commit.
     */
    private double otlp(String transport, String sender, int clientCount, int seriesPerClient, int exports)
            throws Exception {
        return otlp(transport, sender, clientCount, seriesPerClient, Math.max(5, exports / 10), exports, null);
    }

    /**
     * As above with {@code warmUp} unmeasured rounds first; with {@code spool} set, the receiver answers once a request
     * is in its spool (a fresh directory) with that sync policy.
     */
    private double otlp(
            String transport,
            String sender,
            int clientCount,
            int seriesPerClient,
            int warmUp,
            int exports,
            @Nullable SyncPolicy spool)
            throws Exception {
        System.setProperty(SENDER_PROPERTY, sender);
        String schema = "bench_otlp_" + transport;
        dropSchema(schema);
        Path spoolDirectory = spool == null ? null : Files.createTempDirectory("bench-otlp-spool");
        StorageConfig config = StorageConfig.builder()
                .setUrl(url)
                .setSchema(schema)
                .setEnableCache(false)
                .build();
        try (StorageEngine engine = StorageEngine.create(config);
                OtlpReceiver receiver = OtlpReceiver.builder()
                        .setEngine(engine)
                        .setHost("127.0.0.1")
                        .setGrpcPort(0)
                        .setHttpPort(0)
                        .setSpool(spoolDirectory)
                        .setSpoolSyncPolicy(spool == null ? SyncPolicy.BATCH : spool)
                        .start()) {
            List<Client> clients = new ArrayList<>();
            for (int c = 0; c < clientCount; c++) {
                MetricExporter exporter = transport.equals("grpc")
                        ? OtlpGrpcMetricExporter.builder()
                                .setEndpoint("http://127.0.0.1:" + receiver.grpcPort())
                                .setTimeout(Duration.ofSeconds(60))
                                .build()
                        : OtlpHttpMetricExporter.builder()
                                .setEndpoint("http://127.0.0.1:" + receiver.httpPort() + "/v1/metrics")
                                .setTimeout(Duration.ofSeconds(60))
                                .build();
                clients.add(new Client(c, seriesPerClient, exporter));
            }
            ExecutorService pool = Executors.newFixedThreadPool(clientCount);
            try {
                run(pool, clients, warmUp); // series created, JIT compiled
                engine.flushBuffer();
                // The measured run then writes into a table of its own size, as the COPY limit does (a fresh one),
                // not after the warm-up's millions of rows (past shared_buffers after 15,000 exports).
                try (Connection c = DriverManager.getConnection(url)) {
                    execute(c, "TRUNCATE " + schema + ".samples, " + schema + ".histograms");
                }
                long committedBefore = engine.ingestionStats().committed();
                long start = startClock();
                Map<String, Long> cpuBefore = threadCpuTicks();
                try (RingSampler ring = new RingSampler(engine)) {
                    run(pool, clients, exports);
                    System.err.println("[otlp] " + ring.summary());
                }
                System.err.println("[otlp] CPU of this JVM's threads in the measured window: " + cpuSince(cpuBefore));
                engine.flushBuffer();
                double seconds = (System.nanoTime() - start) / 1e9;
                long committed = engine.ingestionStats().committed() - committedBefore;
                long expected = (long) exports * clientCount * seriesPerClient;
                // Each export also carries the SDK's own collection-duration histogram: committed is a little above
                // expected.
                if (committed < expected || receiver.rejectedPoints() != 0) {
                    throw new IllegalStateException(
                            transport + ": committed " + committed + " points, expected " + expected + " (rejected "
                                    + receiver.rejectedPoints() + ", busy " + receiver.busyRequests() + ")");
                }
                System.err.printf(
                        "[otlp] %s: %d clients x %d exports x %d points (%d committed with the SDK's self-metrics) "
                                + "in %.2f s, %d requests answered busy%n",
                        transport, clientCount, exports, seriesPerClient, committed, seconds, receiver.busyRequests());
                return committed / seconds;
            } finally {
                pool.shutdown();
                clients.forEach(Client::close);
            }
        } finally {
            dropSchema(schema);
            if (spoolDirectory != null) {
                deleteRecursively(spoolDirectory);
            }
        }
    }

    private static void deleteRecursively(Path directory) throws java.io.IOException {
        try (var files = Files.walk(directory)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * The receiver's own share: {@code exports} pre-encoded requests like the SDK's (1,000 cumulative sums, the same
     * resource and scope each time) decoded, mapped and committed one after another on one thread, through the same
     * {@link OtlpIngest} the transports use. Shows how far the SDK client and HTTP are from the receiver's bound.
     */
    private double receiverAlone(int exports) throws Exception {
        String schema = "bench_otlp_alone";
        dropSchema(schema);
        StorageConfig config = StorageConfig.builder()
                .setUrl(url)
                .setSchema(schema)
                .setEnableCache(false)
                .build();
        try (StorageEngine engine = StorageEngine.create(config)) {
            long start = System.currentTimeMillis() * 1_000_000L;
            OtlpIngest ingest = new OtlpIngest(engine, new CumulativeState(1_000_000, start - 1), 1_000_000);
            int warmUp = Math.max(5, exports / 10);
            byte[][] requests = new byte[warmUp + exports][];
            for (int i = 0; i < requests.length; i++) {
                requests[i] = sdkLikeRequest(start, start + (i + 1) * 1_000_000L, i);
            }
            long committedBefore = 0;
            long begin = 0;
            for (int i = 0; i < requests.length; i++) {
                if (i == warmUp) {
                    engine.flushBuffer();
                    committedBefore = engine.ingestionStats().committed();
                    begin = startClock();
                }
                OtlpIngest.Outcome outcome =
                        ingest.ingest(OtlpIngest.decode(requests[i])).get(60, TimeUnit.SECONDS);
                if (!(outcome instanceof OtlpIngest.Outcome.Accepted)) {
                    throw new IllegalStateException("receiver alone: " + outcome);
                }
            }
            engine.flushBuffer();
            double seconds = (System.nanoTime() - begin) / 1e9;
            long committed = engine.ingestionStats().committed() - committedBefore;
            if (committed != (long) exports * SERIES || ingest.rejectedPoints() != 0) {
                throw new IllegalStateException(
                        "receiver alone: committed " + committed + ", expected " + (long) exports * SERIES);
            }
            return committed / seconds;
        } finally {
            dropSchema(schema);
        }
    }

    /**
     * CPU ticks (1/100 s) used so far by each thread of this JVM, by {@code /proc/self/task} (Linux; empty elsewhere),
     * keyed by thread name without its trailing number, plus the thread id so threads of one pool count separately.
     */
    private static Map<String, Long> threadCpuTicks() {
        Map<String, Long> ticks = new HashMap<>();
        File[] tasks = new File("/proc/self/task").listFiles();
        for (File task : tasks == null ? new File[0] : tasks) {
            try {
                String stat = Files.readString(task.toPath().resolve("stat"));
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
                        .replaceAll("[0-9]+$", "#");
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks.put(name + "/" + task.getName(), Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
            } catch (java.io.IOException | RuntimeException e) {
                // the thread ended meanwhile
            }
        }
        return ticks;
    }

    /** The busiest thread groups since {@code before}: "C2 CompilerThre 0.11 s, otlp-http-# 0.48 s, ...". */
    private static String cpuSince(Map<String, Long> before) {
        Map<String, Long> byName = new HashMap<>();
        threadCpuTicks().forEach((key, now) -> {
            long used = now - before.getOrDefault(key, 0L);
            if (used > 0) {
                byName.merge(key.substring(0, key.lastIndexOf('/')), used, Long::sum);
            }
        });
        return byName.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(8)
                .map(e -> String.format("%s %.2f s", e.getKey(), e.getValue() / 100.0))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    private static KeyValue kv(String key, String value) {
        return KeyValue.newBuilder()
                .setKey(key)
                .setValue(AnyValue.newBuilder().setStringValue(value))
                .build();
    }

    /**
     * What one SDK instance of the headline run sends: 1,000 cumulative sums (market, venue), SDK resource attributes.
     */
    private static byte[] sdkLikeRequest(long startNanos, long timeNanos, int round) {
        Resource.Builder resource = Resource.newBuilder()
                .addAttributes(kv("service.name", "bench"))
                .addAttributes(kv("service.instance.id", "alone"))
                .addAttributes(kv("telemetry.sdk.language", "java"))
                .addAttributes(kv("telemetry.sdk.name", "opentelemetry"))
                .addAttributes(kv("telemetry.sdk.version", "1"));
        Sum.Builder sum = Sum.newBuilder()
                .setIsMonotonic(true)
                .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE);
        for (int i = 0; i < SERIES; i++) {
            sum.addDataPoints(NumberDataPoint.newBuilder()
                    .setStartTimeUnixNano(startNanos)
                    .setTimeUnixNano(timeNanos)
                    .setAsInt(round + 1L)
                    .addAttributes(kv("market", "m" + i))
                    .addAttributes(kv("venue", "v" + (i % 7))));
        }
        return ExportMetricsServiceRequest.newBuilder()
                .addResourceMetrics(ResourceMetrics.newBuilder()
                        .setResource(resource)
                        .addScopeMetrics(ScopeMetrics.newBuilder()
                                .setScope(InstrumentationScope.newBuilder().setName("bench"))
                                .addMetrics(Metric.newBuilder()
                                        .setName("bench.orders")
                                        .setSum(sum))))
                .build()
                .toByteArray();
    }

    /** {@code exports} exports per client, the clients in parallel. */
    private static void run(ExecutorService pool, List<Client> clients, int exports) throws Exception {
        List<Future<?>> futures = new ArrayList<>();
        for (Client client : clients) {
            futures.add(pool.submit(() -> {
                for (int i = 0; i < exports; i++) {
                    client.round();
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get(30, TimeUnit.MINUTES);
        }
    }

    /** One SDK instance with its share of the series; {@link #round()} adds to each and exports once. */
    private static final class Client {
        private final SdkMeterProvider provider;
        private final LongCounter counter;
        private final Attributes[] series;

        Client(int id, int seriesCount, MetricExporter exporter) {
            provider = SdkMeterProvider.builder()
                    .setResource(io.opentelemetry.sdk.resources.Resource.getDefault()
                            .merge(io.opentelemetry.sdk.resources.Resource.create(Attributes.of(
                                    AttributeKey.stringKey("service.name"),
                                    "bench",
                                    AttributeKey.stringKey("service.instance.id"),
                                    "client-" + id))))
                    .registerMetricReader(PeriodicMetricReader.builder(exporter)
                            .setInterval(Duration.ofDays(1))
                            .build())
                    .build();
            counter = provider.get("bench").counterBuilder("bench.orders").build();
            series = new Attributes[seriesCount];
            for (int i = 0; i < series.length; i++) {
                series[i] = Attributes.of(
                        AttributeKey.stringKey("market"), "m" + i, AttributeKey.stringKey("venue"), "v" + (i % 7));
            }
        }

        void round() {
            for (Attributes a : series) {
                counter.add(1, a);
            }
            if (!provider.forceFlush().join(60, TimeUnit.SECONDS).isSuccess()) {
                throw new IllegalStateException("export failed");
            }
        }

        void close() {
            provider.shutdown().join(60, TimeUnit.SECONDS);
        }
    }

    private double copyLimit(int rows) throws Exception {
        return copyLimit(rows, rows);
    }

    /**
     * Binary COPY of {@code rows} pre-encoded rows into a fresh hypertable, in auto-committed statements of
     * {@code statementRows} rows each (all in one when equal): the database's own rate, encoding not timed.
     */
    private double copyLimit(int rows, int statementRows) throws Exception {
        try (Connection c = DriverManager.getConnection(url)) {
            execute(
                    c,
                    "DROP SCHEMA IF EXISTS bench_otlp_copy CASCADE",
                    "CREATE SCHEMA bench_otlp_copy",
                    "CREATE TABLE bench_otlp_copy.samples (time timestamptz NOT NULL, series_id bigint NOT NULL, "
                            + "value double precision NOT NULL)",
                    "SELECT create_hypertable('bench_otlp_copy.samples', by_range('time', INTERVAL '1 day'), "
                            + "create_default_indexes => false)",
                    "CREATE INDEX ON bench_otlp_copy.samples (series_id, time DESC)");
            ByteArrayOutputStream header = new ByteArrayOutputStream();
            DataOutputStream h = new DataOutputStream(header);
            h.writeBytes("PGCOPY\n");
            h.write(new byte[] {(byte) 0xff, '\r', '\n', 0});
            h.writeInt(0);
            h.writeInt(0);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(rows * 38);
            DataOutputStream out = new DataOutputStream(bytes);
            long base = System.currentTimeMillis() * 1_000 - POSTGRES_EPOCH_OFFSET_MICROS;
            for (int i = 0; i < rows; i++) {
                out.writeShort(3);
                out.writeInt(8);
                out.writeLong(base + i / SERIES * 1_000L);
                out.writeInt(8);
                out.writeLong(i % SERIES + 1);
                out.writeInt(8);
                out.writeDouble(i);
            }
            byte[] head = header.toByteArray();
            byte[] encoded = bytes.toByteArray();
            byte[] trailer = {(byte) 0xff, (byte) 0xff};
            long start = startClock();
            for (int first = 0; first < rows; first += statementRows) {
                int end = Math.min(rows, first + statementRows) * 38;
                CopyIn copy = c.unwrap(PGConnection.class)
                        .getCopyAPI()
                        .copyIn("COPY bench_otlp_copy.samples FROM STDIN (FORMAT binary)");
                try {
                    copy.writeToCopy(head, 0, head.length);
                    int chunk = 1 << 20;
                    for (int off = first * 38; off < end; off += chunk) {
                        copy.writeToCopy(encoded, off, Math.min(chunk, end - off));
                    }
                    copy.writeToCopy(trailer, 0, trailer.length);
                    copy.endCopy();
                } finally {
                    if (copy.isActive()) {
                        copy.cancelCopy();
                    }
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            execute(c, "DROP SCHEMA bench_otlp_copy CASCADE");
            return rows / seconds;
        }
    }

    private void dropSchema(String schema) throws Exception {
        try (Connection c = DriverManager.getConnection(url)) {
            execute(c, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    /**
     * Checkpoints, then reads the clock: every run starts with no dirty buffers and its WAL just past a checkpoint,
     * rather than meeting the checkpoint that an earlier run's WAL triggered (max_wal_size) at a random moment.
     */
    private long startClock() throws Exception {
        try (Connection c = DriverManager.getConnection(url)) {
            execute(c, "CHECKPOINT");
        }
        return System.nanoTime();
    }

    private static void execute(Connection c, String... sql) throws Exception {
        try (Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    /** Samples the engine's ring depth and its last batch's write time every 50 ms while open. */
    private static final class RingSampler implements AutoCloseable {
        private final StorageEngine engine;
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-ring-sampler");
            t.setDaemon(true);
            return t;
        });
        private long depthSum;
        private long depthMax;
        private long samples;
        private double batchMillisSum;

        RingSampler(StorageEngine engine) {
            this.engine = engine;
            timer.scheduleAtFixedRate(this::sample, 50, 50, TimeUnit.MILLISECONDS);
        }

        private synchronized void sample() {
            IngestionStats stats = engine.ingestionStats();
            depthSum += stats.queueDepth();
            depthMax = Math.max(depthMax, stats.queueDepth());
            batchMillisSum += stats.lastBatchMillis();
            samples++;
        }

        synchronized String summary() {
            long n = Math.max(1, samples);
            return String.format(
                    "ring depth in the measured window: mean %d, max %d of %d; last batch's write: mean %.1f ms",
                    depthSum / n, depthMax, engine.ingestionStats().bufferSize(), batchMillisSum / n);
        }

        @Override
        public void close() throws InterruptedException {
            timer.shutdownNow();
            timer.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
