package io.agstorage.micrometer;

import io.agstorage.core.IngestionStats;
import io.agstorage.core.SeriesLimitException;
import io.agstorage.core.StorageEngine;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * The health of a {@link StorageEngine}'s ingestion pipeline as meters, and, when built from a
 * {@link TimescaleMeterRegistry}, the registry's own publishing:
 *
 * <table>
 *   <caption>Meters (names before the naming convention; every one tagged {@code schema})</caption>
 *   <tr><th>name</th><th>type</th><th>meaning</th></tr>
 *   <tr><td>{@code ag_storage.ingestion.queue.depth}</td><td>gauge</td><td>entries waiting in the buffer</td></tr>
 *   <tr><td>{@code ag_storage.ingestion.buffer.size}</td><td>gauge</td><td>the buffer's capacity</td></tr>
 *   <tr><td>{@code ag_storage.ingestion.accepted}</td><td>counter</td><td>samples accepted into the buffer</td></tr>
 *   <tr><td>{@code ag_storage.ingestion.committed}</td><td>counter</td><td>samples committed</td></tr>
 *   <tr><td>{@code ag_storage.ingestion.dropped}</td><td>counter, tag {@code reason} = {@code full},
 *       {@code invalid}, {@code failed}</td><td>samples lost</td></tr>
 *   <tr><td>{@code ag_storage.ingestion.retries}</td><td>counter</td><td>batch writes retried</td></tr>
 *   <tr><td>{@code ag_storage.ingestion.dead_lettered}</td><td>counter</td><td>rows refused for their data, kept
 *   in the {@code dead_letters} table</td></tr>
 *   <tr><td>{@code ag_storage.ingestion.batch.latency}</td><td>time gauge</td><td>duration of the last batch
 *   write</td></tr>
 *   <tr><td>{@code ag_storage.series.refused}</td><td>counter, tag {@code reason} = {@code max_series},
 *       {@code max_series_per_metric}, {@code label_bytes}</td><td>new series refused by a limit</td></tr>
 *   <tr><td>{@code ag_storage.series.known}</td><td>gauge</td><td>series in the schema at start plus created
 *   since</td></tr>
 *   <tr><td>{@code ag_storage.series.cached}</td><td>gauge</td><td>series interned in memory</td></tr>
 *   <tr><td>{@code ag_storage.series.evicted}</td><td>counter</td><td>series evicted from memory</td></tr>
 *   <tr><td>{@code ag_storage.micrometer.publishes}</td><td>counter</td><td>steps published and committed</td></tr>
 *   <tr><td>{@code ag_storage.micrometer.publish.failures}</td><td>counter</td><td>publishes failed or timed
 *   out</td></tr>
 *   <tr><td>{@code ag_storage.micrometer.skipped}</td><td>counter, tag {@code reason} = {@code non_finite},
 *       {@code invalid}</td><td>values and meters not stored</td></tr>
 *   <tr><td>{@code ag_storage.micrometer.publish.duration}</td><td>time gauge</td><td>duration of the last
 *   publish</td></tr>
 * </table>
 *
 * <pre>{@code
 * new StorageEngineMetrics(registry).bindTo(registry);   // or any other registry
 * }</pre>
 */
public final class StorageEngineMetrics implements MeterBinder {

    private final StorageEngine engine;
    private final @Nullable TimescaleMeterRegistry publisher;
    private final Tags tags;

    /** The engine's pipeline health. */
    public StorageEngineMetrics(StorageEngine engine) {
        this(engine, null, Tags.empty());
    }

    /** The pipeline health of the registry's engine, and the registry's own publishing. */
    public StorageEngineMetrics(TimescaleMeterRegistry registry) {
        this(Objects.requireNonNull(registry, "registry").storageEngine(), registry, Tags.empty());
    }

    private StorageEngineMetrics(StorageEngine engine, @Nullable TimescaleMeterRegistry publisher, Iterable<Tag> tags) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.publisher = publisher;
        this.tags = Tags.of(tags).and("schema", engine.config().schema());
    }

    /** A copy that adds {@code extraTags} to every meter. */
    public StorageEngineMetrics withTags(Iterable<Tag> extraTags) {
        return new StorageEngineMetrics(
                engine, publisher, Tags.of(tags).and(Objects.requireNonNull(extraTags, "extraTags")));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        StorageEngine e = engine;
        gauge(
                registry,
                "ag_storage.ingestion.queue.depth",
                "Entries waiting in the ingestion buffer",
                s -> s.queueDepth());
        gauge(registry, "ag_storage.ingestion.buffer.size", "Capacity of the ingestion buffer", s -> s.bufferSize());
        counter(
                registry,
                "ag_storage.ingestion.accepted",
                "Samples accepted into the ingestion buffer",
                Tags.empty(),
                s -> s.accepted());
        counter(
                registry,
                "ag_storage.ingestion.committed",
                "Samples committed to the database",
                Tags.empty(),
                s -> s.committed());
        counter(
                registry,
                "ag_storage.ingestion.dropped",
                "Samples lost",
                Tags.of("reason", "full"),
                s -> s.droppedFull());
        counter(
                registry,
                "ag_storage.ingestion.dropped",
                "Samples lost",
                Tags.of("reason", "invalid"),
                s -> s.droppedInvalid());
        counter(
                registry,
                "ag_storage.ingestion.dropped",
                "Samples lost",
                Tags.of("reason", "failed"),
                s -> s.droppedFailed());
        counter(
                registry,
                "ag_storage.ingestion.dead_lettered",
                "Rows the database refused for their data, kept in the dead_letters table",
                Tags.empty(),
                s -> s.deadLettered());
        counter(
                registry,
                "ag_storage.ingestion.retries",
                "Batch writes retried after a transient failure",
                Tags.empty(),
                s -> s.retries());
        TimeGauge.builder(
                        "ag_storage.ingestion.batch.latency",
                        e,
                        TimeUnit.MILLISECONDS,
                        en -> en.ingestionStats().lastBatchMillis())
                .description("Duration of the last committed batch write")
                .tags(tags)
                .register(registry);
        for (SeriesLimitException.Reason reason : SeriesLimitException.Reason.values()) {
            FunctionCounter.builder(
                            "ag_storage.series.refused",
                            e,
                            en -> en.seriesStats().refused(reason))
                    .description("New series refused by a limits.* setting (their points were not stored)")
                    .tags(tags)
                    .tag("reason", reason.tag())
                    .register(registry);
        }
        Gauge.builder("ag_storage.series.known", e, en -> en.seriesStats().known())
                .description("Series known to the engine: in the schema at start, plus created or met since")
                .tags(tags)
                .register(registry);
        Gauge.builder("ag_storage.series.cached", e, en -> en.seriesStats().cached())
                .description("Series interned in memory (at most limits.max_cached_series)")
                .tags(tags)
                .register(registry);
        FunctionCounter.builder(
                        "ag_storage.series.evicted", e, en -> en.seriesStats().evicted())
                .description("Series evicted from memory (interned again on their next use)")
                .tags(tags)
                .register(registry);
        TimescaleMeterRegistry p = publisher;
        if (p != null) {
            FunctionCounter.builder(
                            "ag_storage.micrometer.publishes",
                            p,
                            r -> r.publishStats().publishes())
                    .description("Steps published and committed")
                    .tags(tags)
                    .register(registry);
            FunctionCounter.builder(
                            "ag_storage.micrometer.publish.failures",
                            p,
                            r -> r.publishStats().failures())
                    .description("Publishes that failed or were not confirmed in time")
                    .tags(tags)
                    .register(registry);
            FunctionCounter.builder(
                            "ag_storage.micrometer.skipped",
                            p,
                            r -> r.publishStats().nonFiniteSkipped())
                    .description("Values and meters not stored")
                    .tags(tags)
                    .tag("reason", "non_finite")
                    .register(registry);
            FunctionCounter.builder(
                            "ag_storage.micrometer.skipped",
                            p,
                            r -> r.publishStats().invalidMeters())
                    .description("Values and meters not stored")
                    .tags(tags)
                    .tag("reason", "invalid")
                    .register(registry);
            TimeGauge.builder(
                            "ag_storage.micrometer.publish.duration",
                            p,
                            TimeUnit.MILLISECONDS,
                            r -> r.publishStats().lastPublishMillis())
                    .description("Duration of the last publish, until committed")
                    .tags(tags)
                    .register(registry);
        }
    }

    private void gauge(
            MeterRegistry registry, String name, String description, ToDoubleFunction<IngestionStats> value) {
        Gauge.builder(name, engine, e -> value.applyAsDouble(e.ingestionStats()))
                .description(description)
                .tags(tags)
                .register(registry);
    }

    private void counter(
            MeterRegistry registry,
            String name,
            String description,
            Tags extra,
            ToDoubleFunction<IngestionStats> value) {
        FunctionCounter.builder(name, engine, e -> value.applyAsDouble(e.ingestionStats()))
                .description(description)
                .tags(tags)
                .tags(extra)
                .register(registry);
    }
}
