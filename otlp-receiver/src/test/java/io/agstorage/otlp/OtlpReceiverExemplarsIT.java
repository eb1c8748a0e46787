package io.agstorage.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.testing.DatabaseExtension;
import io.agstorage.otel.testing.Stored;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporterBuilder;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.sdk.metrics.ExemplarFilter;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Exemplars recorded inside a span reach the exemplars table with their trace and span ids, through every OTLP client
 * (the in-process exporter: {@code io.agstorage.otel.ExemplarsIT}).
 */
class OtlpReceiverExemplarsIT {

    private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final String SPAN = "b7ad6b7169203331";

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("otel_exm").withEngine();

    private OtlpReceiver receiver;

    @BeforeEach
    void start() {
        receiver = OtlpReceiver.builder()
                .setEngine(db.engine())
                .setHost("127.0.0.1")
                .setGrpcPort(0)
                .setHttpPort(0)
                .start();
    }

    @AfterEach
    void stop() {
        receiver.close();
    }

    private static void record(MetricExporter exporter) {
        SdkMeterProvider provider = SdkMeterProvider.builder()
                .setExemplarFilter(ExemplarFilter.alwaysOn())
                .registerMetricReader(PeriodicMetricReader.builder(exporter)
                        .setInterval(Duration.ofHours(1))
                        .build())
                .build();
        var meter = provider.get("exemplars");
        var counter = meter.counterBuilder("fills").build();
        var latency = meter.histogramBuilder("fill.latency").build();
        SpanContext span = SpanContext.create(TRACE, SPAN, TraceFlags.getSampled(), TraceState.getDefault());
        try (Scope ignored = Context.root().with(Span.wrap(span)).makeCurrent()) {
            counter.add(5, Attributes.of(AttributeKey.stringKey("venue"), "a"));
            latency.record(42.5, Attributes.of(AttributeKey.stringKey("venue"), "a"));
        }
        provider.shutdown().join(20, TimeUnit.SECONDS);
    }

    private List<String> stored() {
        return new Stored(db)
                .rows("SELECT r.metric, e.value, e.trace_id, e.span_id, r.labels->>'venue' FROM $S.exemplars e "
                        + "JOIN $S.series r ON r.id = e.series_id ORDER BY r.metric");
    }

    private static final List<String> EXPECTED = List.of(
            "fill.latency | 42.5 | " + TRACE + " | " + SPAN + " | a", "fills | 5.0 | " + TRACE + " | " + SPAN + " | a");

    @Test
    void otlpGrpcKeepsExemplars() {
        record(OtlpGrpcMetricExporter.builder()
                .setEndpoint("http://127.0.0.1:" + receiver.grpcPort())
                .build());
        assertThat(stored()).containsExactlyElementsOf(EXPECTED);
    }

    @Test
    void otlpHttpJsonKeepsExemplarsWithHexIds() throws Exception {
        OtlpHttpMetricExporterBuilder builder =
                OtlpHttpMetricExporter.builder().setEndpoint("http://127.0.0.1:" + receiver.httpPort() + "/v1/metrics");
        Method json = OtlpHttpMetricExporterBuilder.class.getDeclaredMethod("exportAsJson");
        json.setAccessible(true);
        json.invoke(builder);
        record(builder.build());
        assertThat(stored()).containsExactlyElementsOf(EXPECTED);
    }
}
