package io.agstorage.otel;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.testing.DatabaseExtension;
import io.agstorage.otel.testing.Scenario;
import io.agstorage.otel.testing.Stored;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.export.AggregationTemporalitySelector;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TimescaleMetricExporterIT {

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("otel_exp").withEngine();

    static List<String> runScenario(TimescaleMetricExporter exporter) {
        Scenario s = new Scenario(PeriodicMetricReader.builder(exporter)
                .setInterval(Duration.ofHours(1))
                .build());
        s.first();
        s.flush();
        s.second();
        s.flush();
        s.provider().shutdown().join(10, TimeUnit.SECONDS);
        return List.of();
    }

    @Test
    void storesEveryInstrumentKindWithDeltaTemporality() {
        TimescaleMetricExporter exporter =
                TimescaleMetricExporter.builder().setEngine(db.engine()).build();
        runScenario(exporter);
        new Stored(db).assertScenario(true);
        assertThat(db.engine().isClosed())
                .as("an engine the caller gave is never closed by the exporter")
                .isFalse();
    }

    @Test
    void storesEveryInstrumentKindWithCumulativeTemporality() {
        TimescaleMetricExporter exporter = TimescaleMetricExporter.builder()
                .setEngine(db.engine())
                .setAggregationTemporalitySelector(AggregationTemporalitySelector.alwaysCumulative())
                .build();
        runScenario(exporter);
        new Stored(db).assertScenario(true);
    }

    @Test
    void exportCompletesOnlyOnceTheDataIsCommitted() {
        TimescaleMetricExporter exporter =
                TimescaleMetricExporter.builder().setEngine(db.engine()).build();
        var reader = io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader.create();
        Scenario s = new Scenario(reader);
        s.first();
        var data = reader.collectAllMetrics();
        CompletableResultCode result = exporter.export(data);
        result.join(10, TimeUnit.SECONDS);
        assertThat(result.isSuccess()).isTrue();
        // No flush in between: success means committed.
        assertThat(new Stored(db).sum("orders.placed", "a")).isEqualTo(3.0);
    }

    @Test
    void exportAfterShutdownFailsWithoutThrowing() {
        TimescaleMetricExporter exporter =
                TimescaleMetricExporter.builder().setEngine(db.engine()).build();
        assertThat(exporter.shutdown().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
        assertThat(exporter.shutdown().isSuccess()).isTrue();
        CompletableResultCode result = exporter.export(List.of());
        assertThat(result.isSuccess()).isFalse();
        assertThat(result.getFailureThrowable()).hasMessage("TimescaleMetricExporter is shut down");
    }

    @Test
    void exportFailsItsResultWhenTheEngineIsClosed() {
        TimescaleMetricExporter exporter =
                TimescaleMetricExporter.builder().setEngine(db.engine()).build();
        var reader = io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader.create();
        Scenario s = new Scenario(reader);
        s.first();
        var data = reader.collectAllMetrics();
        db.engine().close();
        CompletableResultCode result = exporter.export(data);
        result.join(10, TimeUnit.SECONDS);
        assertThat(result.isSuccess()).isFalse();
        assertThat(result.getFailureThrowable()).hasMessage("StorageEngine is closed");
    }

    @Test
    void exporterBuiltFromAConfigOwnsAndClosesItsEngine() {
        TimescaleMetricExporter exporter =
                TimescaleMetricExporter.builder().setConfig(db.config().build()).build();
        runScenario(exporter);
        assertThat(exporter.engine().isClosed()).isTrue();
        new Stored(db).assertScenario(true);
    }
}
