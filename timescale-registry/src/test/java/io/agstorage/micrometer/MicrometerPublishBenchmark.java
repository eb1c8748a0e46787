package io.agstorage.micrometer;

import io.agstorage.core.StorageConfig;
import io.agstorage.core.StorageEngine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * scripts/bench micrometer, part 1: 10,000 meters of mixed types with 5 tags each on a {@link TimescaleMeterRegistry};
 * times {@code publish()} (reading every meter, submitting one batch, waiting for the commit). The first publish also
 * creates the series; the reported number is the median of the 20 that follow (a step each). Prints
 * {@code publish_10k_ms=<n>}; the details (first, p90, max) go to stderr.
 */
public final class MicrometerPublishBenchmark {

    private static final int METERS = 10_000;
    private static final int PUBLISHES = Integer.getInteger("publishes", 21);

    public static void main(String[] args) throws Exception {
        String url = System.getenv("AG_STORAGE_BENCH_URL");
        if (url == null || url.isBlank()) {
            throw new IllegalStateException("AG_STORAGE_BENCH_URL is not set: run scripts/bench micrometer");
        }
        String schema = "bench_micrometer_" + ProcessHandle.current().pid();
        StorageConfig storage = StorageConfig.builder()
                .setUrl(url)
                .setSchema(schema)
                .setEnableCache(false)
                .build();
        MockClock clock = new MockClock();
        long minute = TimeUnit.MINUTES.toMillis(1);
        clock.add(System.currentTimeMillis() / minute * minute - clock.wallTime(), TimeUnit.MILLISECONDS);
        TimescaleConfig config = key -> key.equals("timescale.step") ? "1m" : null;
        try (StorageEngine engine = StorageEngine.create(storage)) {
            try (TimescaleMeterRegistry registry = TimescaleMeterRegistry.builder(config)
                    .clock(clock)
                    .storageEngine(engine)
                    .build()) {
                Meters meters = new Meters(registry);
                double[] millis = new double[PUBLISHES];
                for (int i = 0; i < PUBLISHES; i++) {
                    clock.add(10, TimeUnit.SECONDS);
                    meters.record(i);
                    clock.add(50, TimeUnit.SECONDS);
                    long start = System.nanoTime();
                    registry.publish();
                    millis[i] = (System.nanoTime() - start) / 1e6;
                }
                PublishStats stats = registry.publishStats();
                if (stats.failures() > 0 || stats.publishes() != PUBLISHES) {
                    throw new IllegalStateException("publishes did not all commit: " + stats);
                }
                double[] warm = Arrays.copyOfRange(millis, 1, PUBLISHES);
                Arrays.sort(warm);
                double median = warm[warm.length / 2];
                System.err.printf(
                        "[micrometer] %d meters, %d samples+histograms per publish; first publish (creates the "
                                + "series) %.1f ms;"
                                + " next %d: median %.1f ms, p90 %.1f ms, max %.1f ms (in order: %s)%n",
                        METERS,
                        stats.samples() / PUBLISHES,
                        millis[0],
                        warm.length,
                        median,
                        warm[(int) Math.ceil(warm.length * 0.9) - 1],
                        warm[warm.length - 1],
                        Arrays.toString(round(Arrays.copyOfRange(millis, 1, PUBLISHES))));
                System.out.printf("publish_10k_ms=%.1f%n", median);
            }
        } finally {
            try (Connection c = java.sql.DriverManager.getConnection(url);
                    Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    private static double[] round(double[] values) {
        return Arrays.stream(values).map(v -> Math.round(v * 10) / 10.0).toArray();
    }

    /**
     * 4,000 counters, 2,000 gauges, 2,000 timers (500 with SLO buckets), 1,000 summaries, 500 function counters, 500
     * function timers.
     */
    private static final class Meters {
        private final List<Counter> counters = new ArrayList<>();
        private final List<Timer> timers = new ArrayList<>();
        private final List<DistributionSummary> summaries = new ArrayList<>();
        private final List<AtomicLong> sources = new ArrayList<>();

        Meters(TimescaleMeterRegistry registry) {
            int n = 0;
            for (int i = 0; i < 4_000; i++, n++) {
                counters.add(Counter.builder("bench.orders").tags(tags(n)).register(registry));
            }
            for (int i = 0; i < 2_000; i++, n++) {
                AtomicLong v = new AtomicLong(i);
                sources.add(v);
                Gauge.builder("bench.position", v, AtomicLong::get)
                        .tags(tags(n))
                        .register(registry);
            }
            for (int i = 0; i < 2_000; i++, n++) {
                Timer.Builder b = Timer.builder("bench.latency").tags(tags(n));
                if (i < 500) {
                    b.serviceLevelObjectives(
                            Duration.ofMillis(1),
                            Duration.ofMillis(5),
                            Duration.ofMillis(10),
                            Duration.ofMillis(50),
                            Duration.ofMillis(100));
                }
                timers.add(b.register(registry));
            }
            for (int i = 0; i < 1_000; i++, n++) {
                summaries.add(
                        DistributionSummary.builder("bench.size").tags(tags(n)).register(registry));
            }
            for (int i = 0; i < 500; i++, n++) {
                AtomicLong v = new AtomicLong();
                sources.add(v);
                FunctionCounter.builder("bench.fills", v, AtomicLong::get)
                        .tags(tags(n))
                        .register(registry);
            }
            for (int i = 0; i < 500; i++, n++) {
                AtomicLong v = new AtomicLong();
                sources.add(v);
                FunctionTimer.builder("bench.calls", v, AtomicLong::get, x -> x.get() * 3.0, TimeUnit.MILLISECONDS)
                        .tags(tags(n))
                        .register(registry);
            }
            if (n != METERS) {
                throw new IllegalStateException("built " + n + " meters");
            }
        }

        void record(int round) {
            for (int i = 0; i < counters.size(); i++) {
                counters.get(i).increment(1 + (i + round) % 5);
            }
            for (int i = 0; i < timers.size(); i++) {
                timers.get(i).record(1 + (i + round) % 120, TimeUnit.MILLISECONDS);
            }
            for (int i = 0; i < summaries.size(); i++) {
                summaries.get(i).record(10 + (i + round) % 90);
            }
            for (AtomicLong source : sources) {
                source.addAndGet(3);
            }
        }

        private static Tags tags(int n) {
            return Tags.of(
                    "venue",
                    "venue" + n % 7,
                    "market",
                    "market" + n,
                    "strategy",
                    "s" + n % 11,
                    "side",
                    n % 2 == 0 ? "buy" : "sell",
                    "env",
                    "bench");
        }
    }
}
