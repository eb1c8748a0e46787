package io.agstorage.core.retention;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.concurrent.TimeUnit;

/**
 * The {@link RetentionScheduler}'s runs as Micrometer meters, tagged with the schema:
 * {@code ag_storage.retention.runs} (tag {@code outcome}: completed, skipped, failed),
 * {@code ag_storage.retention.chunks.dropped}, {@code ag_storage.retention.rows.removed},
 * {@code ag_storage.retention.chunks.compressed}, {@code ag_storage.retention.rollup.rows.written},
 * {@code ag_storage.retention.last.duration} and {@code ag_storage.retention.compression.ratio} (NaN while no
 * chunk is compressed or compression is unavailable).
 *
 * <pre>{@code
 * new RetentionMetrics(scheduler).bindTo(registry);
 * }</pre>
 *
 * Needs {@code micrometer-core} on the class path (an optional dependency of storage-core).
 */
public final class RetentionMetrics implements MeterBinder {

    private final RetentionScheduler scheduler;
    private final Tags tags;

    public RetentionMetrics(RetentionScheduler scheduler) {
        this.scheduler = java.util.Objects.requireNonNull(scheduler, "scheduler");
        this.tags = Tags.of(Tag.of("schema", scheduler.manager().schema()));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("ag_storage.retention.runs", scheduler, RetentionScheduler::runsCompleted)
                .tags(tags)
                .tag("outcome", "completed")
                .description("Retention runs this instance did")
                .register(registry);
        FunctionCounter.builder("ag_storage.retention.runs", scheduler, RetentionScheduler::runsSkipped)
                .tags(tags)
                .tag("outcome", "skipped")
                .description("Ticks skipped because another instance was running")
                .register(registry);
        FunctionCounter.builder("ag_storage.retention.runs", scheduler, RetentionScheduler::runsFailed)
                .tags(tags)
                .tag("outcome", "failed")
                .description("Ticks that failed and will be retried")
                .register(registry);
        FunctionCounter.builder("ag_storage.retention.chunks.dropped", scheduler, RetentionScheduler::chunksDropped)
                .tags(tags)
                .description("Chunks dropped past retention")
                .register(registry);
        FunctionCounter.builder("ag_storage.retention.rows.removed", scheduler, RetentionScheduler::rowsRemoved)
                .tags(tags)
                .baseUnit("rows")
                .description("Rows in the dropped chunks")
                .register(registry);
        FunctionCounter.builder(
                        "ag_storage.retention.chunks.compressed", scheduler, RetentionScheduler::chunksCompressed)
                .tags(tags)
                .description("Chunks compressed")
                .register(registry);
        FunctionCounter.builder(
                        "ag_storage.retention.rollup.rows.written", scheduler, RetentionScheduler::rollupRowsWritten)
                .tags(tags)
                .baseUnit("rows")
                .description("Rollup rows written by incremental refreshes (Apache edition)")
                .register(registry);
        TimeGauge.builder(
                        "ag_storage.retention.last.duration",
                        scheduler,
                        TimeUnit.NANOSECONDS,
                        s -> s.lastRunDuration().toNanos())
                .tags(tags)
                .description("How long the last tick took")
                .register(registry);
        Gauge.builder("ag_storage.retention.compression.ratio", scheduler, RetentionMetrics::compressionRatio)
                .tags(tags)
                .description("Bytes before / after compression, as TimescaleDB measures it")
                .register(registry);
    }

    private static double compressionRatio(RetentionScheduler scheduler) {
        try {
            return scheduler
                    .manager()
                    .checkCompressionStatus()
                    .compressionRatio()
                    .orElse(Double.NaN);
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }
}
