package io.agstorage.otel;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.testing.DatabaseExtension;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code otel.metrics.exporter=timescale} through the SDK's own autoconfigure. */
class TimescaleMetricExporterProviderIT {

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("otel_spi");

    @Test
    void autoconfigureFindsTheTimescaleExporter(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("ag-storage.yaml");
        Files.writeString(config, "database:\n  url: \"" + db.url() + "\"\n  schema: " + db.schema() + "\n");
        OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> Map.of(
                        "otel.metrics.exporter", "timescale",
                        "otel.traces.exporter", "none",
                        "otel.logs.exporter", "none",
                        "otel.service.name", "spi-test",
                        "otel.metric.export.interval", "3600000",
                        "otel.exporter.timescale.config", config.toString()))
                .disableShutdownHook()
                .build()
                .getOpenTelemetrySdk();
        sdk.getMeter("spi").counterBuilder("spi.counter").build().add(5, Attributes.empty());
        assertThat(sdk.getSdkMeterProvider()
                        .shutdown()
                        .join(20, TimeUnit.SECONDS)
                        .isSuccess())
                .isTrue();
        assertThat(db.queryString("SELECT sum(s.value) || ' ' || min(r.labels->>'resource.service.name') FROM \""
                        + db.schema() + "\".samples s JOIN \"" + db.schema()
                        + "\".series r ON r.id = s.series_id WHERE r.metric = 'spi.counter'"))
                .isEqualTo("5 spi-test");
    }
}
