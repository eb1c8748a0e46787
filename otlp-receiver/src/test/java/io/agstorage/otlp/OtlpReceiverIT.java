package io.agstorage.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.StorageEngine;
import io.agstorage.core.testing.DatabaseExtension;
import io.agstorage.otel.TimescaleMetricExporter;
import io.agstorage.otel.testing.Scenario;
import io.agstorage.otel.testing.Stored;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporterBuilder;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.sdk.metrics.export.AggregationTemporalitySelector;
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

/** The real OTel Java SDK exporters as clients of the receiver; the database is read back. */
class OtlpReceiverIT {

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("otel_rcv").withEngine();

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

    private static void run(MetricExporter exporter) {
        Scenario s = new Scenario(PeriodicMetricReader.builder(exporter)
                .setInterval(Duration.ofHours(1))
                .build());
        s.first();
        s.flush();
        s.second();
        s.flush();
        s.provider().shutdown().join(10, TimeUnit.SECONDS);
    }

    /** The rows the in-process exporter stores for the same scenario (cumulative, as the OTLP exporters send it). */
    private List<String> rowsThroughTheInProcessExporter() {
        String other = db.newSchema("otel_rcv_ref");
        try (StorageEngine ref =
                StorageEngine.create(db.database().config(other).build())) {
            run(TimescaleMetricExporter.builder()
                    .setEngine(ref)
                    .setAggregationTemporalitySelector(AggregationTemporalitySelector.alwaysCumulative())
                    .build());
            ref.flushBuffer();
            return new Stored(db.database(), other).everything();
        }
    }

    @Test
    void otlpGrpcExporterStoresEveryInstrumentKind() {
        run(OtlpGrpcMetricExporter.builder()
                .setEndpoint("http://127.0.0.1:" + receiver.grpcPort())
                .build());
        Stored stored = new Stored(db);
        stored.assertScenario(true);
        assertThat(stored.everything()).containsExactlyElementsOf(rowsThroughTheInProcessExporter());
    }

    @Test
    void otlpGrpcExporterWithGzipStoresEveryInstrumentKind() {
        run(OtlpGrpcMetricExporter.builder()
                .setEndpoint("http://127.0.0.1:" + receiver.grpcPort())
                .setCompression("gzip")
                .build());
        new Stored(db).assertScenario(true);
    }

    @Test
    void otlpHttpProtobufExporterStoresEveryInstrumentKind() {
        run(OtlpHttpMetricExporter.builder()
                .setEndpoint("http://127.0.0.1:" + receiver.httpPort() + "/v1/metrics")
                .build());
        Stored stored = new Stored(db);
        stored.assertScenario(true);
        assertThat(stored.everything()).containsExactlyElementsOf(rowsThroughTheInProcessExporter());
    }

    @Test
    void otlpHttpJsonExporterWithGzipStoresEveryInstrumentKind() throws Exception {
        OtlpHttpMetricExporterBuilder builder = OtlpHttpMetricExporter.builder()
                .setEndpoint("http://127.0.0.1:" + receiver.httpPort() + "/v1/metrics")
                .setCompression("gzip");
        // The SDK's JSON encoding is not public API yet (package-private exportAsJson()); it is what we must accept.
        Method json = OtlpHttpMetricExporterBuilder.class.getDeclaredMethod("exportAsJson");
        json.setAccessible(true);
        json.invoke(builder);
        run(builder.build());
        Stored stored = new Stored(db);
        stored.assertScenario(true);
        assertThat(stored.everything()).containsExactlyElementsOf(rowsThroughTheInProcessExporter());
    }
}
