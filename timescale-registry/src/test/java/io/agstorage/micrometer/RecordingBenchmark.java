package io.agstorage.micrometer;

import io.agstorage.core.StorageConfig;
import io.agstorage.core.StorageEngine;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * scripts/bench micrometer, part 2: the recording path of {@link TimescaleMeterRegistry} (a real one, on a real engine)
 * against Micrometer's {@link SimpleMeterRegistry}, measured side by side in one JMH run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RecordingBenchmark {

    private StorageEngine engine;
    private TimescaleMeterRegistry timescale;
    private SimpleMeterRegistry simple;
    private String url;
    private String schema;
    private Counter timescaleCounter;
    private Counter simpleCounter;
    private Timer timescaleTimer;
    private Timer simpleTimer;

    @Setup(Level.Trial)
    public void setUp() {
        url = System.getenv("AG_STORAGE_BENCH_URL");
        if (url == null || url.isBlank()) {
            throw new IllegalStateException("AG_STORAGE_BENCH_URL is not set: run scripts/bench micrometer");
        }
        schema = "bench_recording_" + ProcessHandle.current().pid();
        engine = StorageEngine.create(
                StorageConfig.builder().setUrl(url).setSchema(schema).build());
        timescale = TimescaleMeterRegistry.builder(key -> null)
                .clock(Clock.SYSTEM)
                .storageEngine(engine)
                .build();
        simple = new SimpleMeterRegistry();
        timescaleCounter = Counter.builder("orders").tag("venue", "poly").register(timescale);
        simpleCounter = Counter.builder("orders").tag("venue", "poly").register(simple);
        timescaleTimer = Timer.builder("latency").tag("venue", "poly").register(timescale);
        simpleTimer = Timer.builder("latency").tag("venue", "poly").register(simple);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        timescale.close();
        simple.close();
        engine.close();
        try (Connection c = DriverManager.getConnection(url);
                Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    @Benchmark
    public void timescaleIncrement() {
        timescaleCounter.increment();
    }

    @Benchmark
    public void simpleIncrement() {
        simpleCounter.increment();
    }

    @Benchmark
    public void timescaleTimerRecord() {
        timescaleTimer.record(12, TimeUnit.MILLISECONDS);
    }

    @Benchmark
    public void simpleTimerRecord() {
        simpleTimer.record(12, TimeUnit.MILLISECONDS);
    }
}
