package io.agstorage.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.StorageEngine;
import io.agstorage.core.testing.TestDatabase;
import io.agstorage.otel.testing.Scenario;
import io.agstorage.otel.testing.Stored;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The same scenario on the TSL tier (PostgreSQL in WASM: no COPY, the engine writes with INSERT). */
class TslTierIT {

    @Test
    void receiverStoresEveryInstrumentKindOnTheTslTier() {
        TestDatabase db = TestDatabase.tsl();
        String schema = TestDatabase.uniqueSchema("otel_tsl");
        try (StorageEngine engine = StorageEngine.create(db.config(schema).build());
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
            new Stored(db, schema).assertScenario(true);
        } finally {
            db.dropSchema(schema);
        }
    }
}
