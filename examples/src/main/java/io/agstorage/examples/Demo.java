package io.agstorage.examples;

import io.agstorage.core.IngestionStats;
import io.agstorage.core.StorageConfig;
import io.agstorage.core.StorageEngine;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * {@code scripts/demo}: writes a simulated bot's metrics to TimescaleDB, reads them back, prints a report.
 * The database comes from {@code AG_STORAGE_DATABASE_URL} (or a YAML file given as the first argument).
 */
public final class Demo {

    private Demo() {}

    public static void main(String[] args) {
        StorageConfig config =
                args.length > 0 ? StorageConfig.fromYamlFile(java.nio.file.Path.of(args[0])) : StorageConfig.defaults();
        Instant end = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        try (StorageEngine engine = StorageEngine.create(config)) {
            System.out.println("== ag-storage demo ==");
            System.out.println("database: " + engine.capabilities().describe());
            long written = InsertMetrics.run(engine, end);
            System.out.printf(
                    "wrote %d metric points (insertMetric, insertMetricsBatch, MetricSeries.record)%n", written);
            QueryData.run(engine, end);
            MicrometerDemo.run(engine);
            OtelDemo.run(engine);
            ExecutionDemo.run(engine, java.nio.file.Path.of("target", "demo-journal"));
            RetentionDemo.run(engine, end);
            IngestionStats stats = engine.ingestionStats();
            System.out.printf(
                    "pipeline: %d committed, %d dropped, last batch %.1f ms; pool: %s%n",
                    stats.committed(),
                    stats.droppedFull() + stats.droppedInvalid() + stats.droppedFailed(),
                    stats.lastBatchMillis(),
                    engine.poolStatus());
        }
    }
}
