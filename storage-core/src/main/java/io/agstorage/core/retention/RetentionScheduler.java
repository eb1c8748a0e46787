package io.agstorage.core.retention;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link RetentionManager#tryRunRetention()} on one background thread every {@code interval}. Across every JVM
 * on one database only one instance works at a time (a session advisory lock held on a dedicated connection for
 * the run); the others skip that tick. A failing tick (database down, say) is logged and counted, and the next
 * tick tries again: the thread never dies. Each run's outcome is logged, kept ({@link #lastRun()}) and counted
 * (and exposed as meters by {@link RetentionMetrics}).
 *
 * <pre>{@code
 * RetentionScheduler scheduler = RetentionScheduler.builder(retention).setInterval(Duration.ofMinutes(15)).build();
 * scheduler.start();
 * ...
 * scheduler.stop();
 * }</pre>
 */
public final class RetentionScheduler implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RetentionScheduler.class);

    /** How a tick ended. */
    public enum Outcome {
        /** This instance held the lock and ran; {@link Run#report()} says what it did. */
        COMPLETED,
        /** Another instance (another JVM, or a call in progress here) was running; nothing done. */
        SKIPPED,
        /** The run failed; {@link Run#error()} says why; the next tick retries. */
        FAILED
    }

    /**
     * One tick.
     *
     * @param outcome how it ended
     * @param startedAt when it started (this JVM's clock)
     * @param report what it did, when {@link Outcome#COMPLETED}
     * @param error why it failed, when {@link Outcome#FAILED}
     */
    public record Run(
            Outcome outcome,
            Instant startedAt,
            @Nullable RetentionReport report,
            @Nullable String error) {}

    private final RetentionManager manager;
    private final Duration interval;
    private final Duration initialDelay;
    private final ScheduledExecutorService executor;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final AtomicReference<@Nullable Run> lastRun = new AtomicReference<>();
    private final AtomicReference<@Nullable RetentionReport> lastReport = new AtomicReference<>();
    private final LongAdder completed = new LongAdder();
    private final LongAdder skipped = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder chunksDropped = new LongAdder();
    private final LongAdder rowsRemoved = new LongAdder();
    private final LongAdder chunksCompressed = new LongAdder();
    private final LongAdder rollupRowsWritten = new LongAdder();
    private volatile long lastDurationNanos;

    private RetentionScheduler(Builder b) {
        this.manager = b.manager;
        this.interval = b.interval;
        this.initialDelay = b.initialDelay;
        ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread t = new Thread(runnable, "ag-storage-retention-" + manager.schema());
            t.setDaemon(true);
            return t;
        });
        pool.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        pool.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        this.executor = pool;
    }

    public static Builder builder(RetentionManager manager) {
        return new Builder(manager);
    }

    /**
     * Starts ticking: first after the initial delay, then {@code interval} after each run ends.
     *
     * @throws IllegalStateException when already started or stopped
     */
    public RetentionScheduler start() {
        if (stopped.get()) {
            throw new IllegalStateException("RetentionScheduler is stopped");
        }
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("RetentionScheduler is already started");
        }
        executor.scheduleWithFixedDelay(
                this::tick, initialDelay.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        log.info(
                "Retention scheduler started on schema {}: every {}, first in {}",
                manager.schema(),
                interval,
                initialDelay);
        return this;
    }

    /** Runs one tick now on the scheduler's thread (after any tick in progress); completes with its outcome. */
    public CompletableFuture<Run> runNow() {
        if (stopped.get()) {
            return CompletableFuture.failedFuture(new IllegalStateException("RetentionScheduler is stopped"));
        }
        CompletableFuture<Run> result = new CompletableFuture<>();
        try {
            executor.execute(() -> result.complete(tick()));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            result.completeExceptionally(new IllegalStateException("RetentionScheduler is stopped", e));
        }
        return result;
    }

    private Run tick() {
        Instant startedAt = Instant.now();
        long t0 = System.nanoTime();
        Run run;
        try {
            RetentionReport report = manager.tryRunRetention().orElse(null);
            if (report == null) {
                skipped.increment();
                run = new Run(Outcome.SKIPPED, startedAt, null, null);
                log.debug("Retention tick on schema {} skipped: another instance is running", manager.schema());
            } else {
                completed.increment();
                chunksDropped.add(report.totalChunksDropped());
                rowsRemoved.add(report.totalRowsRemoved());
                chunksCompressed.add(report.chunksCompressed());
                rollupRowsWritten.add(report.totalRollupRowsWritten());
                lastReport.set(report);
                run = new Run(Outcome.COMPLETED, startedAt, report, null);
            }
        } catch (Throwable e) { // never let the periodic task die: a thrown exception cancels every later tick
            failed.increment();
            String error = e.getClass().getSimpleName() + ": " + e.getMessage();
            run = new Run(Outcome.FAILED, startedAt, null, error);
            log.warn("Retention tick on schema {} failed, retrying in {}: {}", manager.schema(), interval, error);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
        lastDurationNanos = System.nanoTime() - t0;
        lastRun.set(run);
        return run;
    }

    /**
     * Stops ticking and waits at most {@code timeout} for a run in progress to end (a run inside a database call
     * finishes that call; nothing is left half-done, as each step commits on its own). Idempotent.
     *
     * @return whether the thread ended within the timeout
     */
    public boolean stop(Duration timeout) {
        if (stopped.compareAndSet(false, true)) {
            executor.shutdownNow();
        }
        try {
            boolean ended = executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!ended) {
                log.warn(
                        "Retention scheduler on schema {}: a run is still in a database call after {}; it ends with "
                                + "that call",
                        manager.schema(),
                        timeout);
            }
            return ended;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** {@link #stop(Duration)} with a 5 s bound. */
    public void stop() {
        stop(Duration.ofSeconds(5));
    }

    @Override
    public void close() {
        stop();
    }

    public boolean isRunning() {
        return started.get() && !stopped.get();
    }

    public Duration interval() {
        return interval;
    }

    public RetentionManager manager() {
        return manager;
    }
    /** The last tick, or null before the first. */
    public @Nullable Run lastRun() {
        return lastRun.get();
    }
    /** The report of the last tick that ran, or null when none did yet. */
    public @Nullable RetentionReport lastReport() {
        return lastReport.get();
    }

    public long runsCompleted() {
        return completed.sum();
    }

    public long runsSkipped() {
        return skipped.sum();
    }

    public long runsFailed() {
        return failed.sum();
    }

    public long chunksDropped() {
        return chunksDropped.sum();
    }

    public long rowsRemoved() {
        return rowsRemoved.sum();
    }

    public long chunksCompressed() {
        return chunksCompressed.sum();
    }

    public long rollupRowsWritten() {
        return rollupRowsWritten.sum();
    }
    /** How long the last tick took. */
    public Duration lastRunDuration() {
        return Duration.ofNanos(lastDurationNanos);
    }

    @Override
    public String toString() {
        return "RetentionScheduler[schema=" + manager.schema() + ", interval=" + interval + ", completed="
                + completed.sum() + ", skipped=" + skipped.sum() + ", failed=" + failed.sum() + "]";
    }

    /** Settings of a {@link RetentionScheduler}. */
    public static final class Builder {
        private final RetentionManager manager;
        private Duration interval = Duration.ofMinutes(15);
        private Duration initialDelay = Duration.ofSeconds(30);

        private Builder(RetentionManager manager) {
            this.manager = Objects.requireNonNull(manager, "manager");
        }

        /** Time between the end of one run and the start of the next. Default: 15 minutes; at least 100 ms. */
        public Builder setInterval(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.toMillis() < 100) {
                throw new IllegalArgumentException("retention.interval must be at least 100 ms, was " + interval);
            }
            this.interval = interval;
            return this;
        }

        /** Time from {@link #start()} to the first run. Default: 30 seconds; 0 runs at once. */
        public Builder setInitialDelay(Duration delay) {
            Objects.requireNonNull(delay, "initialDelay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("retention.initial_delay must not be negative, was " + delay);
            }
            this.initialDelay = delay;
            return this;
        }

        public RetentionScheduler build() {
            return new RetentionScheduler(this);
        }
    }
}
