package io.agstorage.examples;

import io.agstorage.core.Aggregation;
import io.agstorage.core.AggregationResult;
import io.agstorage.core.StorageEngine;
import io.agstorage.core.retention.CompressionStatus;
import io.agstorage.core.retention.RetentionManager;
import io.agstorage.core.retention.RetentionReport;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** The demo's retention part: one retention run (rollups, retention, compression), then a query a rollup answers. */
final class RetentionDemo {

    private RetentionDemo() {}

    static void run(StorageEngine engine, Instant end) {
        RetentionManager retention = RetentionManager.create(engine);
        RetentionReport report = retention.runRetention();
        System.out.println("retention: " + report.summary());
        CompressionStatus compression = retention.checkCompressionStatus();
        System.out.println("compression: "
                + (compression.available()
                        ? compression.chunksCompressed() + " of " + compression.chunksTotal() + " chunks compressed"
                        : "unavailable (" + compression.unavailableReason() + ")"));
        Instant hourEnd = end.truncatedTo(ChronoUnit.HOURS);
        AggregationResult hourly = engine.queryAggregated(
                "spread_bps", hourEnd.minus(Duration.ofHours(2)), hourEnd, Duration.ofHours(1), Aggregation.AVG);
        System.out.printf(
                "spread_bps hourly AVG over the last 2 whole hours, answered by %s: %s%n",
                hourly.source(), hourly.buckets());
    }
}
