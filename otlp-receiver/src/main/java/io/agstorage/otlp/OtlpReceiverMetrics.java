package io.agstorage.otlp;

import io.agstorage.core.spool.SampleSpool;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;

/**
 * The {@link OtlpReceiver}'s own health as Micrometer meters, tagged with the schema:
 * {@code ag_storage.otlp.points} (tag {@code outcome}: accepted, rejected) and
 * {@code ag_storage.otlp.requests.busy} (requests answered 503 / UNAVAILABLE because the ingestion buffer was full);
 * with a spool, {@code ag_storage.otlp.spool.points} (points spooled; tag {@code outcome}: spooled, replayed at start),
 * {@code ag_storage.otlp.spool.backlog} (journal records not yet committed and trimmed) and
 * {@code ag_storage.otlp.spool.journal.failures} (journal writes or forces that failed: those requests were answered
 * after their commit). The engine's own meters come from storage-core.
 *
 * <pre>{@code
 * new OtlpReceiverMetrics(receiver).bindTo(registry);
 * }</pre>
 *
 * Needs {@code micrometer-core} on the class path (an optional dependency of this module).
 */
public final class OtlpReceiverMetrics implements MeterBinder {

    private final OtlpReceiver receiver;
    private final Tags tags;

    public OtlpReceiverMetrics(OtlpReceiver receiver) {
        this.receiver = Objects.requireNonNull(receiver, "receiver");
        this.tags = Tags.of(Tag.of("schema", receiver.schema()));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("ag_storage.otlp.points", receiver, OtlpReceiver::acceptedPoints)
                .tags(tags)
                .tag("outcome", "accepted")
                .baseUnit("points")
                .description("Data points committed")
                .register(registry);
        FunctionCounter.builder("ag_storage.otlp.points", receiver, OtlpReceiver::rejectedPoints)
                .tags(tags)
                .tag("outcome", "rejected")
                .baseUnit("points")
                .description("Data points refused (reported to the client as partial success)")
                .register(registry);
        FunctionCounter.builder("ag_storage.otlp.requests.busy", receiver, OtlpReceiver::busyRequests)
                .tags(tags)
                .baseUnit("requests")
                .description("Requests answered retry-later because the ingestion buffer was full")
                .register(registry);
        SampleSpool spool = receiver.spool();
        if (spool == null) {
            return;
        }
        FunctionCounter.builder("ag_storage.otlp.spool.points", spool, SampleSpool::spooledPoints)
                .tags(tags)
                .tag("outcome", "spooled")
                .baseUnit("points")
                .description("Data points answered once spooled")
                .register(registry);
        FunctionCounter.builder("ag_storage.otlp.spool.points", spool, SampleSpool::replayedPoints)
                .tags(tags)
                .tag("outcome", "replayed")
                .baseUnit("points")
                .description("Data points replayed from the spool at start (not in the database)")
                .register(registry);
        Gauge.builder("ag_storage.otlp.spool.backlog", spool, SampleSpool::backlog)
                .tags(tags)
                .baseUnit("records")
                .description("Spool records not yet committed and trimmed")
                .register(registry);
        FunctionCounter.builder("ag_storage.otlp.spool.journal.failures", spool, SampleSpool::journalFailures)
                .tags(tags)
                .baseUnit("failures")
                .description("Spool journal writes or forces that failed (answered after the commit instead)")
                .register(registry);
    }
}
