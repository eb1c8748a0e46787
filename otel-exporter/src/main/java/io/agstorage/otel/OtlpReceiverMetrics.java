package io.agstorage.otel;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;

/**
 * The {@link OtlpReceiver}'s own health as Micrometer meters, tagged with the schema:
 * {@code ag_storage.otlp.points} (tag {@code outcome}: accepted, rejected) and
 * {@code ag_storage.otlp.requests.busy} (requests answered 503 / UNAVAILABLE because the ingestion buffer was full).
 * The engine's own meters come from storage-core.
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
                .tags(tags).tag("outcome", "accepted").baseUnit("points").description("Data points committed").register(registry);
        FunctionCounter.builder("ag_storage.otlp.points", receiver, OtlpReceiver::rejectedPoints)
                .tags(tags).tag("outcome", "rejected").baseUnit("points")
                .description("Data points refused (reported to the client as partial success)").register(registry);
        FunctionCounter.builder("ag_storage.otlp.requests.busy", receiver, OtlpReceiver::busyRequests)
                .tags(tags).baseUnit("requests").description("Requests answered retry-later because the ingestion buffer was full")
                .register(registry);
    }
}
