package io.agstorage.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.StorageEngine;
import io.agstorage.core.testing.DatabaseExtension;
import io.agstorage.otel.testing.Scenario;
import io.agstorage.otel.testing.Stored;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The same scenario on the TSL tier (PostgreSQL in WASM: no COPY, the engine writes with INSERT). */
class TslTierIT {

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.tsl("otel_tsl");

    @Test
    void receiverStoresEveryInstrumentKindOnTheTslTier() {
        try (StorageEngine engine = StorageEngine.create(db.config().build());
                OtlpReceiver receiver = OtlpReceiver.builder()
                        .setEngine(engine)
                        .setHost("127.0.0.1")
                        .setGrpcPort(-1)
                        .setHttpPort(0)
                        .start()) {
            Scenario s = new Scenario(PeriodicMetricReader.builder(OtlpHttpMetricExporter.builder()
                            .setEndpoint("http://127.0.0.1:" + receiver.httpPort() + "/v1/metrics")
                            .build())
                    .setInterval(Duration.ofHours(1))
                    .build());
            s.first();
            s.flush();
            s.second();
            s.flush();
            s.provider().shutdown().join(30, TimeUnit.SECONDS);
            assertThat(receiver.grpcPort()).isEqualTo(-1);
            new Stored(db).assertScenario(true);
        }
    }
}
