package io.agstorage.examples;

import io.agstorage.core.Aggregation;
import io.agstorage.core.Bucket;
import io.agstorage.core.StorageEngine;
import io.agstorage.micrometer.StorageEngineMetrics;
import io.agstorage.micrometer.TimescaleConfig;
import io.agstorage.micrometer.TimescaleMeterRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The demo bot's Micrometer part: records through TimescaleMeterRegistry on the demo's engine, reads the result back.
 */
final class MicrometerDemo {

    private MicrometerDemo() {}

    static void run(StorageEngine engine) {
        Instant start = Instant.now();
        TimescaleConfig config = key -> key.equals("timescale.step") ? "1s" : null; // a short step for the demo
        TimescaleMeterRegistry registry =
                TimescaleMeterRegistry.builder(config).storageEngine(engine).build();
        new StorageEngineMetrics(registry).bindTo(registry);
        Counter orders =
                Counter.builder("demo.orders.placed").tag("venue", "polymarket").register(registry);
        Timer latency = Timer.builder("demo.fill.latency")
                .tag("venue", "polymarket")
                .serviceLevelObjectives(
                        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50))
                .register(registry);
        int placed = 0;
        for (int i = 0; i < 2_000; i++) {
            orders.increment();
            latency.record(Duration.ofMillis(1 + ThreadLocalRandom.current().nextInt(60)));
            placed++;
        }
        registry.close(); // publishes the last partial step and waits for the commit; the shared engine stays open
        Instant from = start.minusSeconds(5);
        Instant to = Instant.now().plusSeconds(5);
        double stored = sum(engine, "demo_orders_placed", from, to);
        double timed = sum(engine, "demo_fill_latency_count", from, to);
        System.out.printf(
                "micrometer: %d orders counted, %.0f stored (demo_orders_placed); %.0f fills timed "
                        + "(demo_fill_latency_count, buckets in the histograms table); publishes %s%n",
                placed, stored, timed, registry.publishStats());
    }

    private static double sum(StorageEngine engine, String metric, Instant from, Instant to) {
        return engine.queryAggregated(metric, from, to, Duration.ofHours(1), Aggregation.SUM).buckets().stream()
                .mapToDouble(Bucket::value)
                .sum();
    }
}
