package io.agstorage.micrometer;

import io.agstorage.core.SampleBatch;
import io.agstorage.core.StorageEngine;
import io.agstorage.core.logging.ThrottledLog;
import io.agstorage.micrometer.internal.MeterBatchWriter;
import io.agstorage.micrometer.internal.StepTimers;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.NamingConvention;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.pause.PauseDetector;
import io.micrometer.core.instrument.internal.DefaultLongTaskTimer;
import io.micrometer.core.instrument.step.StepMeterRegistry;
import io.micrometer.core.instrument.util.NamedThreadFactory;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Micrometer step registry that stores every meter in TimescaleDB through the ag-storage pipeline (one
 * {@link SampleBatch} per step, no JDBC of its own).
 *
 * <pre>{@code
 * MeterRegistry registry = new TimescaleMeterRegistry(TimescaleConfig.DEFAULT, Clock.SYSTEM);  // AG_STORAGE_* env
 * Metrics.addRegistry(registry);
 * }</pre>
 *
 * or, sharing an engine the application already runs (the registry never closes it):
 *
 * <pre>{@code
 * TimescaleMeterRegistry registry = TimescaleMeterRegistry.builder(config).storageEngine(engine).build();
 * }</pre>
 *
 * <p><b>Step semantics.</b> Every {@code timescale.step} (default one minute) the registry stores the values of the
 * step that just ended, stamped at the step's end ({@code wallTime / step * step}): a row stamped {@code T} holds
 * what happened in {@code [T - step, T)}. Counters, function counters and the count and sum of timers and
 * summaries are stored as the step's increase (series type {@code counter}, temporality {@code delta}), so
 * {@code sum(value)} over any range of rows equals the increments they cover, exactly. Gauges are sampled at
 * publish; {@code <name>_max} is Micrometer's decaying maximum (the largest value of about the last step). A step is
 * published once: a second {@code publish()} within the same step stores nothing. As in every Micrometer step
 * registry, a step meter rolls over when it is read: the registry's poller reads them just after every step boundary.
 *
 * <p><b>Layout</b> (names through the naming convention, default {@link NamingConvention#snakeCase}; tags become
 * labels): counters and gauges keep their name; timers and distribution summaries become {@code <name>_count},
 * {@code <name>_sum} (in the base time unit, default seconds, for timers), {@code <name>_max}, client-side
 * percentiles {@code <name>_percentile} labelled {@code phi="0.99"}, and their histogram buckets (SLOs,
 * {@code publishPercentileHistogram}) one row per step in the {@code histograms} table on series {@code <name>},
 * with per-bucket counts of the step and a last +Inf bucket. Function timers: {@code _count}, {@code _sum}. Long task
 * timers: {@code <name>_active_count}, {@code <name>_duration_sum}, {@code <name>_max}. Custom meters: one gauge per
 * measurement, {@code <name>} for {@code VALUE}, else {@code <name>_<statistic>}. NaN and infinite values are
 * skipped and counted ({@link #publishStats()}).
 *
 * <p><b>Shutdown.</b> {@link #close()} publishes the last completed step if it is not yet stored, then the partial
 * current step (stamped at that step's nominal end), waits for the commit (bounded by
 * {@code timescale.publishTimeout}), and closes the engine if the registry created it. Idempotent.
 *
 * <p>{@code publish()} never throws: failures are counted and logged (at most once a minute).
 */
public final class TimescaleMeterRegistry extends StepMeterRegistry implements AutoCloseable {

    /** The thread factory of the publishing thread unless the builder names another. */
    public static final ThreadFactory DEFAULT_THREAD_FACTORY = new NamedThreadFactory("timescale-metrics-publisher");

    private static final Logger log = LoggerFactory.getLogger(TimescaleMeterRegistry.class);

    private final TimescaleConfig config;
    private final TimeUnit baseTimeUnit;
    private final long stepMillis;
    private final @Nullable StorageEngine engine;
    private final boolean ownsEngine;
    private final @Nullable MeterBatchWriter writer;
    private final ReentrantLock publishLock = new ReentrantLock();
    private final SampleBatch batch = new SampleBatch(1_024);
    private final SampleBatch closingBatch = new SampleBatch(1_024);
    private final AtomicBoolean closeStarted = new AtomicBoolean();
    private final ThrottledLog failureLog = new ThrottledLog(log, Duration.ofMinutes(1));
    private final LongAdder publishes = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder samples = new LongAdder();
    private volatile double lastPublishMillis;
    private long lastPublishedStepEnd;
    private boolean closing;
    private boolean closingCaptured;
    private long closingStepEnd;

    /**
     * A registry with its own storage engine, configured by {@link TimescaleConfig#toStorageConfig()} (database
     * keys of {@code config}, else the {@code AG_STORAGE_*} environment). Starts publishing at once.
     *
     * @throws io.micrometer.core.instrument.config.validate.ValidationException when a key is invalid
     * @throws io.agstorage.core.StorageException when the database is unreachable or lacks TimescaleDB
     */
    public TimescaleMeterRegistry(TimescaleConfig config, Clock clock) {
        this(config, clock, DEFAULT_THREAD_FACTORY, null, null);
    }

    private TimescaleMeterRegistry(
            TimescaleConfig config,
            Clock clock,
            ThreadFactory threadFactory,
            @Nullable StorageEngine sharedEngine,
            @Nullable DataSource dataSource) {
        super(config, clock); // calls config.requireValid()
        this.config = config;
        this.baseTimeUnit = config.baseTimeUnit();
        this.stepMillis = config.step().toMillis();
        this.lastPublishedStepEnd = stepEnd(clock.wallTime());
        config().namingConvention(NamingConvention.snakeCase);
        config().onMeterRemoved(this::forget);
        if (!config.enabled()) {
            this.engine = sharedEngine;
            this.ownsEngine = false;
            this.writer = null;
            log.info("TimescaleMeterRegistry is disabled (timescale.enabled=false): nothing is published");
            return;
        }
        if (sharedEngine != null) {
            this.engine = sharedEngine;
            this.ownsEngine = false;
        } else {
            this.engine = dataSource != null
                    ? StorageEngine.create(config.toStorageConfig(), dataSource)
                    : StorageEngine.create(config.toStorageConfig());
            this.ownsEngine = true;
        }
        this.writer = new MeterBatchWriter(engine, baseTimeUnit);
        start(threadFactory);
    }

    /** A builder for a registry with {@code config}: clock, thread factory, and an existing engine or data source. */
    public static Builder builder(TimescaleConfig config) {
        return new Builder(config);
    }

    private void forget(Meter meter) {
        MeterBatchWriter w = writer;
        if (w != null) {
            w.forget(meter.getId());
        }
    }

    private long stepEnd(long wallTimeMillis) {
        return Math.floorDiv(wallTimeMillis, stepMillis) * stepMillis;
    }

    @Override
    protected TimeUnit getBaseTimeUnit() {
        // Read from the config when called during construction, before the field is set.
        return baseTimeUnit != null ? baseTimeUnit : TimeUnit.SECONDS;
    }

    @Override
    protected Timer newTimer(
            Meter.Id id, DistributionStatisticConfig distributionStatisticConfig, PauseDetector pauseDetector) {
        return StepTimers.timer(id, clock, distributionStatisticConfig, pauseDetector, getBaseTimeUnit(), stepMillis);
    }

    @Override
    protected DistributionSummary newDistributionSummary(
            Meter.Id id, DistributionStatisticConfig distributionStatisticConfig, double scale) {
        return StepTimers.summary(id, clock, distributionStatisticConfig, scale, stepMillis);
    }

    @Override
    protected LongTaskTimer newLongTaskTimer(Meter.Id id, DistributionStatisticConfig distributionStatisticConfig) {
        return new DefaultLongTaskTimer(id, clock, getBaseTimeUnit(), distributionStatisticConfig, true);
    }

    /**
     * Stores the step that just ended: reads every meter into one batch stamped at the step's end, submits it to the
     * engine's pipeline and waits for the commit, at most {@code timescale.publishTimeout}. Never throws.
     */
    @Override
    protected void publish() {
        StorageEngine e = engine;
        MeterBatchWriter w = writer;
        if (e == null || w == null) {
            return;
        }
        long started = System.nanoTime();
        publishLock.lock();
        try {
            long stepEnd = stepEnd(clock.wallTime());
            if (stepEnd <= lastPublishedStepEnd) {
                if (closing) {
                    // The closing publish after Micrometer's closing rollover: the current, partial step. Kept (the
                    // last
                    // capture wins) and written by close() once Micrometer's close sequence is over.
                    closingStepEnd = lastPublishedStepEnd + stepMillis;
                    closingBatch.clear();
                    w.write(getMeters(), config().namingConvention(), closingStepEnd * 1_000L, closingBatch);
                    closingCaptured = true;
                }
                return; // this step is stored already
            }
            lastPublishedStepEnd = stepEnd;
            batch.clear();
            w.write(getMeters(), config().namingConvention(), stepEnd * 1_000L, batch);
            submitAndWait(e, batch, started);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            failures.increment();
            failureLog.warn("Interrupted while waiting for the publish to be committed");
        } catch (Throwable t) {
            failures.increment();
            failureLog.warn("Publishing metrics to TimescaleDB failed: {}", t.toString(), t);
        } finally {
            batch.clear();
            publishLock.unlock();
        }
    }

    private void submitAndWait(StorageEngine e, SampleBatch b, long startedNanos) throws InterruptedException {
        if (b.isEmpty()) {
            return;
        }
        int size = b.size();
        CompletableFuture<Long> committed = e.submit(b);
        samples.add(size);
        try {
            committed.get(config.publishTimeout().toMillis(), TimeUnit.MILLISECONDS);
            publishes.increment();
        } catch (TimeoutException ex) {
            failures.increment();
            failureLog.warn(
                    "Publish of {} samples not committed within timescale.publishTimeout={}; they stay buffered and"
                            + " are written when the database answers",
                    size,
                    config.publishTimeout());
        } catch (ExecutionException ex) {
            failures.increment();
            failureLog.warn("Publish of {} samples failed: {}", size, String.valueOf(ex.getCause()), ex.getCause());
        } finally {
            lastPublishMillis = (System.nanoTime() - startedNanos) / 1e6;
        }
    }

    /**
     * Publishes the last completed step if it is not stored yet, then the partial current step, waits for both to
     * be committed (each at most {@code timescale.publishTimeout}), stops publishing, and closes the storage engine
     * if this registry created it. Idempotent.
     */
    @Override
    public void close() {
        if (!closeStarted.compareAndSet(false, true)) {
            return;
        }
        try {
            StorageEngine e = engine;
            if (config.enabled() && e != null && !isClosed()) {
                stop();
                waitForInProgressScheduledPublish();
                publish();
                publishLock.lock();
                try {
                    closing = true;
                } finally {
                    publishLock.unlock();
                }
            }
            super.close(); // Micrometer's closing rollover, then a last publish() captured above
            publishClosingStep(e);
        } finally {
            if (ownsEngine && engine != null) {
                engine.close();
            }
        }
    }

    private void publishClosingStep(@Nullable StorageEngine e) {
        publishLock.lock();
        try {
            if (e != null && closingCaptured) {
                closingCaptured = false;
                lastPublishedStepEnd = closingStepEnd;
                submitAndWait(e, closingBatch, System.nanoTime());
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            failures.increment();
            failureLog.warn("Interrupted while waiting for the last partial step to be committed");
        } catch (Throwable t) {
            failures.increment();
            failureLog.warn("Publishing the last partial step to TimescaleDB failed: {}", t.toString(), t);
        } finally {
            closingBatch.clear();
            publishLock.unlock();
        }
    }

    /** The storage engine this registry publishes through. */
    public StorageEngine storageEngine() {
        StorageEngine e = engine;
        if (e == null) {
            throw new IllegalStateException(
                    "TimescaleMeterRegistry is disabled (timescale.enabled=false) and has no storage engine");
        }
        return e;
    }

    /** The registry's publishing counters now. */
    public PublishStats publishStats() {
        MeterBatchWriter w = writer;
        return new PublishStats(
                publishes.sum(),
                failures.sum(),
                samples.sum(),
                w != null ? w.nonFiniteSkipped() : 0,
                w != null ? w.invalidMeters() : 0,
                lastPublishMillis);
    }

    @Override
    public String toString() {
        return "TimescaleMeterRegistry{step=" + config.step() + ", baseTimeUnit=" + baseTimeUnit + ", engine="
                + (engine != null ? engine.config() : "none") + ", ownsEngine=" + ownsEngine + "}";
    }

    /** Builds a {@link TimescaleMeterRegistry}. */
    public static final class Builder {
        private final TimescaleConfig config;
        private Clock clock = Clock.SYSTEM;
        private ThreadFactory threadFactory = DEFAULT_THREAD_FACTORY;
        private @Nullable StorageEngine storageEngine;
        private @Nullable DataSource dataSource;

        private Builder(TimescaleConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /** The clock meters and steps follow. Default {@link Clock#SYSTEM}. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The factory of the publishing thread. Default {@link #DEFAULT_THREAD_FACTORY}. */
        public Builder threadFactory(ThreadFactory threadFactory) {
            this.threadFactory = Objects.requireNonNull(threadFactory, "threadFactory");
            return this;
        }

        /** Publish through this running engine; the registry never closes it. Excludes {@link #dataSource}. */
        public Builder storageEngine(StorageEngine storageEngine) {
            this.storageEngine = Objects.requireNonNull(storageEngine, "storageEngine");
            return this;
        }

        /**
         * Create the engine on this data source (which the registry never closes; the engine it creates it closes).
         * Excludes {@link #storageEngine}.
         */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        /**
         * @throws IllegalStateException when both a storage engine and a data source are set, or the engine is closed
         */
        public TimescaleMeterRegistry build() {
            if (storageEngine != null && dataSource != null) {
                throw new IllegalStateException(
                        "storageEngine and dataSource are exclusive: set one of them, not both");
            }
            if (storageEngine != null && storageEngine.isClosed()) {
                throw new IllegalStateException("storageEngine is closed");
            }
            return new TimescaleMeterRegistry(config, clock, threadFactory, storageEngine, dataSource);
        }
    }
}
