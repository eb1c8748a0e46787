package io.agstorage.execution;

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

/**
 * The health of an {@link ExecutionStore} as Micrometer meters, each tagged {@code schema}:
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>meaning</th></tr>
 *   <tr><td>{@code ag_storage.execution.journaled}</td><td>counter</td><td>records acknowledged (in the
 *   journal)</td></tr>
 *   <tr><td>{@code ag_storage.execution.committed}</td><td>counter</td><td>records committed to the database</td></tr>
 *   <tr><td>{@code ag_storage.execution.pending}</td><td>gauge</td><td>records journaled, not yet committed</td></tr>
 *   <tr><td>{@code ag_storage.execution.retries}</td><td>counter</td><td>database batches retried</td></tr>
 *   <tr><td>{@code ag_storage.execution.dead_lettered}</td><td>counter</td><td>records the database refused for
 *   good</td></tr>
 *   <tr><td>{@code ag_storage.execution.batch.latency}</td><td>time gauge</td><td>duration of the last database
 *   batch</td></tr>
 *   <tr><td>{@code ag_storage.execution.journal.syncs}</td><td>counter</td><td>{@code fsync}s of the journal</td></tr>
 *   <tr><td>{@code ag_storage.execution.journal.unsynced}</td><td>gauge</td><td>records in the journal not yet forced
 *   to the
 *       device (what a machine crash could take, unless already committed)</td></tr>
 * </table>
 *
 * <pre>{@code
 * new ExecutionStoreMetrics(store).bindTo(registry);
 * }</pre>
 */
public final class ExecutionStoreMetrics implements MeterBinder {

    private final ExecutionStore store;
    private final Tags tags;

    public ExecutionStoreMetrics(ExecutionStore store) {
        this(store, Tags.empty());
    }

    /** With {@code extraTags} on every meter. */
    public ExecutionStoreMetrics(ExecutionStore store, Iterable<Tag> extraTags) {
        this.store = Objects.requireNonNull(store, "store");
        this.tags = Tags.of(Objects.requireNonNull(extraTags, "extraTags"))
                .and("schema", store.storageEngine().config().schema());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        counter(
                registry,
                "ag_storage.execution.journaled",
                "Execution records acknowledged (written to the journal)",
                s -> s.journaled());
        counter(
                registry,
                "ag_storage.execution.committed",
                "Execution records committed to the database",
                s -> s.committed());
        counter(
                registry,
                "ag_storage.execution.retries",
                "Database batches retried after a transient failure",
                s -> s.retries());
        counter(
                registry,
                "ag_storage.execution.dead_lettered",
                "Execution records the database refused for good",
                s -> s.deadLettered());
        counter(
                registry,
                "ag_storage.execution.journal.syncs",
                "fsyncs of the execution journal",
                s -> s.journalSyncs());
        Gauge.builder(
                        "ag_storage.execution.journal.unsynced",
                        store,
                        st -> st.stats().unsynced())
                .description("Execution records written to the journal, not yet forced to the device")
                .tags(tags)
                .register(registry);
        Gauge.builder("ag_storage.execution.pending", store, st -> st.stats().pending())
                .description("Execution records journaled, not yet committed")
                .tags(tags)
                .register(registry);
        TimeGauge.builder(
                        "ag_storage.execution.batch.latency",
                        store,
                        TimeUnit.MILLISECONDS,
                        st -> st.stats().lastBatchMillis())
                .description("Duration of the last database batch")
                .tags(tags)
                .register(registry);
    }

    private void counter(
            MeterRegistry registry, String name, String description, ToDoubleFunction<ExecutionStats> value) {
        FunctionCounter.builder(name, store, st -> value.applyAsDouble(st.stats()))
                .description(description)
                .tags(tags)
                .register(registry);
    }
}
