package io.agstorage.otlp.fuzz;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.agstorage.core.SeriesLimits;
import io.agstorage.core.StorageEngine;
import io.agstorage.core.testing.TestDatabase;
import io.agstorage.otlp.OtlpReceiver;
import io.agstorage.otlp.fuzz.FuzzCases.Case;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.LoggerFactory;

/**
 * Posts generated OTLP/HTTP requests ({@link FuzzCases}) to an in-process {@link OtlpReceiver} on a real database, and
 * checks: every answer is 200, 400, 413, 415 or 503; nothing is logged at ERROR and no thread dies of an uncaught
 * exception; no row is stored from a refused request or a point that must be refused; the heap is not growing at the
 * end. {@code main} (run by {@code scripts/fuzz [cases] [seed]}) prints
 * {@code fuzz: cases=N crashes=0 bad_rows=0 statuses=...} last.
 */
public final class OtlpFuzzer {

    static final Set<Integer> ALLOWED = Set.of(200, 400, 413, 415, 503);

    /** What one run found. */
    public record Result(
            int cases,
            long crashes,
            long badRows,
            Map<Integer, Long> statuses,
            Map<String, Long> kinds,
            long heapGrowthMb,
            List<String> findings) {
        /** The summary line. */
        public String line() {
            StringBuilder s = new StringBuilder();
            statuses.forEach((k, v) ->
                    s.append(s.isEmpty() ? "" : ",").append(k).append(':').append(v));
            return "fuzz: cases=" + cases + " crashes=" + crashes + " bad_rows=" + badRows + " statuses=" + s
                    + " heap_growth_mb=" + heapGrowthMb;
        }
    }

    private final TestDatabase db;
    private final long seed;
    private final int threads;

    public OtlpFuzzer(TestDatabase db, long seed, int threads) {
        this.db = db;
        this.seed = seed;
        this.threads = threads;
    }

    /** Counts ERROR events (and keeps the first few) while the fuzzer runs. */
    private static final class Errors extends AppenderBase<ILoggingEvent> {
        final AtomicLong count = new AtomicLong();
        final List<String> first = Collections.synchronizedList(new ArrayList<>());

        @Override
        protected void append(ILoggingEvent e) {
            if (e.getLevel().isGreaterOrEqual(Level.ERROR)) {
                count.incrementAndGet();
                if (first.size() < 5) {
                    first.add("ERROR " + e.getLoggerName() + ": " + e.getFormattedMessage()
                            + (e.getThrowableProxy() == null
                                    ? ""
                                    : " " + e.getThrowableProxy().getClassName() + ": "
                                            + e.getThrowableProxy().getMessage()));
                }
            }
        }
    }

    public Result run(int cases) throws Exception {
        String schema = TestDatabase.uniqueSchema("fuzz");
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Errors errors = new Errors();
        errors.start();
        root.addAppender(errors);
        AtomicLong uncaught = new AtomicLong();
        List<String> findings = Collections.synchronizedList(new ArrayList<>());
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            uncaught.incrementAndGet();
            findings.add("uncaught in " + t.getName() + ": " + e);
        });
        int[] status = new int[cases];
        Map<String, AtomicLong> kinds = new java.util.concurrent.ConcurrentHashMap<>();
        AtomicLong clientFailures = new AtomicLong();
        long heapWarm = -1;
        long heapEnd;
        try (StorageEngine engine = StorageEngine.create(db.config(schema)
                        .setLimits(SeriesLimits.builder()
                                .setMaxSeries(20_000)
                                .setMaxSeriesPerMetric(5_000)
                                .build())
                        .build());
                OtlpReceiver receiver = OtlpReceiver.builder()
                        .setEngine(engine)
                        .setHost("127.0.0.1")
                        .setGrpcPort(-1)
                        .setHttpPort(0)
                        .start()) {
            FuzzCases gen = new FuzzCases(seed);
            URI uri = URI.create("http://127.0.0.1:" + receiver.httpPort() + "/v1/metrics");
            HttpClient http = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10))
                    .build();
            AtomicInteger next = new AtomicInteger();
            int warmAt = Math.max(1, cases / 10);
            long[] warm = {-1};
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    for (int id; (id = next.getAndIncrement()) < cases; ) {
                        if (id == warmAt) {
                            synchronized (warm) {
                                warm[0] = usedHeapAfterGc();
                            }
                        }
                        Case c = gen.generate(id);
                        kinds.computeIfAbsent(c.kind().replace("+gzip", ""), k -> new AtomicLong())
                                .incrementAndGet();
                        HttpRequest.Builder req = HttpRequest.newBuilder(uri)
                                .timeout(Duration.ofSeconds(60))
                                .header("Content-Type", c.contentType())
                                .POST(HttpRequest.BodyPublishers.ofByteArray(c.body()));
                        if (c.encoding() != null) {
                            req.header("Content-Encoding", c.encoding());
                        }
                        try {
                            HttpResponse<byte[]> answer =
                                    http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
                            status[id] = answer.statusCode();
                            if (!ALLOWED.contains(answer.statusCode())) {
                                finding(
                                        findings,
                                        c,
                                        "status " + answer.statusCode() + ": "
                                                + new String(answer.body(), java.nio.charset.StandardCharsets.UTF_8));
                            }
                        } catch (IOException e) {
                            status[id] = -1;
                            clientFailures.incrementAndGet();
                            finding(findings, c, "no answer: " + e);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> w : workers) {
                w.get();
            }
            pool.shutdown();
            engine.flushBuffer();
            heapWarm = warm[0];
            heapEnd = usedHeapAfterGc();
            long badRows = badRows(schema, status, findings);
            Map<Integer, Long> statuses = new TreeMap<>();
            for (int s : status) {
                statuses.merge(s, 1L, Long::sum);
            }
            Map<String, Long> kindCounts = new TreeMap<>();
            kinds.forEach((k, v) -> kindCounts.put(k, v.get()));
            long badStatuses = statuses.entrySet().stream()
                    .filter(e -> !ALLOWED.contains(e.getKey()))
                    .mapToLong(Map.Entry::getValue)
                    .sum();
            findings.addAll(errors.first);
            long crashes = badStatuses + errors.count.get() + uncaught.get();
            long growthMb = heapWarm < 0 ? 0 : Math.max(0, heapEnd - heapWarm) >> 20;
            return new Result(cases, crashes, badRows, statuses, kindCounts, growthMb, List.copyOf(findings));
        } finally {
            root.detachAppender(errors);
            Thread.setDefaultUncaughtExceptionHandler(previous);
            db.dropSchema(schema);
        }
    }

    private static void finding(List<String> findings, Case c, String what) {
        if (findings.size() < 20) {
            findings.add("case " + c.id() + " (" + c.kind() + "): " + what);
            try {
                Path dir = Path.of("target", "fuzz-findings");
                Files.createDirectories(dir);
                Files.write(dir.resolve("case-" + c.id() + ".bin"), c.body());
            } catch (IOException ignored) {
                // the finding is reported either way
            }
        }
    }

    /** Rows of points that must have been refused, and gauge rows naming a case that was not answered 200. */
    private long badRows(String schema, int[] status, List<String> findings) throws SQLException {
        String s = "\"" + schema + "\"";
        long bad = 0;
        try (Connection c = db.connect();
                Statement st = c.createStatement()) {
            for (String table : List.of("samples", "histograms")) {
                try (ResultSet rs = st.executeQuery("SELECT r.metric, count(*) FROM " + s + "." + table + " x JOIN " + s
                        + ".series r ON r.id = x.series_id WHERE r.metric LIKE 'fuzz.bad.%' GROUP BY r.metric")) {
                    while (rs.next()) {
                        bad += rs.getLong(2);
                        findings.add(rs.getLong(2) + " rows of " + rs.getString(1) + " in " + table);
                    }
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT x.value, r.metric, (extract(epoch FROM x.time) * 1e6)::bigint "
                    + "FROM " + s + ".samples x JOIN " + s
                    + ".series r ON r.id = x.series_id WHERE r.type = 'gauge' AND r.metric LIKE 'fuzz.%'")) {
                while (rs.next()) {
                    int id = FuzzCases.caseOf(rs.getDouble(1));
                    // a flipped mantissa bit can turn one case's marker into another's: the time must match too
                    if (id >= 0 && rs.getLong(3) != FuzzCases.timeMicros(id)) {
                        continue;
                    }
                    if (id >= 0 && id < status.length && status[id] != 200) {
                        bad++;
                        if (findings.size() < 40) {
                            findings.add("row of case " + id + " (answered " + status[id] + "): " + rs.getString(2));
                        }
                    }
                }
            }
        }
        return bad;
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** {@code scripts/fuzz [cases] [seed]}: default 100,000 cases, seed 1. */
    public static void main(String[] args) throws Exception {
        int cases = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 1;
        long t0 = System.nanoTime();
        Result r = new OtlpFuzzer(TestDatabase.apache(), seed, 4).run(cases);
        System.out.println("fuzz: seed=" + seed + " seconds=" + (System.nanoTime() - t0) / 1_000_000_000L);
        System.out.println("fuzz: kinds=" + r.kinds());
        r.findings().forEach(f -> System.out.println("fuzz: finding: " + f));
        System.out.println(r.line());
        System.exit(r.crashes() == 0 && r.badRows() == 0 ? 0 : 1);
    }
}
