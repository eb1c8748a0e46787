package io.agstorage.examples;

import io.agstorage.core.MetricPoint;
import io.agstorage.core.MetricSeries;
import io.agstorage.core.StorageEngine;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Writes a bot's metrics three ways: one point, a batch, and the zero-allocation hot-path handle. */
public final class InsertMetrics {

    private InsertMetrics() {}

    /**
     * {@code scripts/example insert-metrics [config.yaml]}: writes the last hour's simulated quotes to the database
     * of {@code AG_STORAGE_DATABASE_URL} (or the YAML file).
     */
    public static void main(String[] args) {
        try (StorageEngine engine = StorageEngine.create(Examples.config(args))) {
            long written = run(engine, Instant.now().truncatedTo(ChronoUnit.MINUTES));
            System.out.printf(
                    "insert-metrics: wrote %d points to schema %s%n",
                    written, engine.config().schema());
        }
    }

    /** Writes one hour of simulated quotes ending at {@code end}; returns how many points were written. */
    public static long run(StorageEngine engine, Instant end) {
        Instant start = end.minus(Duration.ofHours(1));
        Random random = new Random(42);

        // One point: returns once committed.
        engine.insertMetric(
                MetricPoint.of("bot_started", 1).withLabel("bot", "demo").at(start));

        // A batch: one commit for all of them.
        List<MetricPoint> spreads = new ArrayList<>();
        for (int minute = 0; minute < 60; minute++) {
            for (String market : List.of("0x123abc", "0x456def")) {
                spreads.add(MetricPoint.of("spread_bps", 5 + random.nextGaussian())
                        .withLabel("venue", "polymarket")
                        .withLabel("market", market)
                        .at(start.plus(Duration.ofMinutes(minute))));
            }
        }
        engine.insertMetricsBatch(spreads);

        // The hot path: keep the handle, record without allocating or waiting; flush when you need durability.
        MetricSeries latency = engine.series("order_latency_ms", Map.of("venue", "polymarket"));
        long startMicros = start.toEpochMilli() * 1_000;
        for (int i = 0; i < 3_600; i++) {
            latency.record(2 + random.nextExponential(), startMicros + i * 1_000_000L);
        }
        long flushed = engine.flushBuffer();
        return 1 + spreads.size() + flushed;
    }
}
