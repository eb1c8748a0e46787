package io.agstorage.examples;

import io.agstorage.core.IngestionStats;
import io.agstorage.core.StorageConfig;
import io.agstorage.core.StorageEngine;
import io.agstorage.execution.PositionSnapshot;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * {@code scripts/demo}: writes a simulated bot's metrics to TimescaleDB, reads them back, prints a report.
 * The database comes from {@code AG_STORAGE_DATABASE_URL} (or a YAML file given as an argument). With
 * {@code --plot} (or {@code --plot=FILE}) it also writes a PNG of its latency percentiles and positions
 * (default {@code target/ag-storage-demo.png}) and prints where.
 */
public final class Demo {

    private Demo() {}

    /** The default place of {@code --plot}'s PNG. */
    static final Path DEFAULT_PLOT = Path.of("target", "ag-storage-demo.png");

    public static void main(String[] args) {
        StorageConfig config = StorageConfig.defaults();
        Path plot = null;
        for (String arg : args) {
            if (arg.equals("--plot")) {
                plot = DEFAULT_PLOT;
            } else if (arg.startsWith("--plot=")) {
                plot = Path.of(arg.substring("--plot=".length()));
            } else if (arg.startsWith("-")) {
                throw new IllegalArgumentException("unknown option '" + arg + "' (expected --plot or --plot=FILE)");
            } else {
                config = StorageConfig.fromYamlFile(Path.of(arg));
            }
        }
        run(config, plot);
    }

    /** Runs the demo on {@code config}; writes the plot when {@code plot} is set and returns its path. */
    static @Nullable Path run(StorageConfig config, @Nullable Path plot) {
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
            Map<String, List<PositionSnapshot>> positions =
                    ExecutionDemo.run(engine, Path.of("target", "demo-journal"));
            RetentionDemo.run(engine, end);
            IngestionStats stats = engine.ingestionStats();
            System.out.printf(
                    "pipeline: %d committed, %d dropped, last batch %.1f ms; pool: %s%n",
                    stats.committed(),
                    stats.droppedFull() + stats.droppedInvalid() + stats.droppedFailed(),
                    stats.lastBatchMillis(),
                    engine.poolStatus());
            if (plot == null) {
                return null;
            }
            Path png = DemoPlot.write(engine, end, positions, plot);
            System.out.println("plot: " + png);
            return png;
        }
    }
}
