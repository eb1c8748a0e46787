package io.agstorage.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.StorageEngine;
import io.agstorage.core.testing.DatabaseExtension;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The registry on the TSL tier (PostgreSQL in WASM: no COPY, one shared session): the same rows come back. */
class TslTierIT {

    @RegisterExtension
    final DatabaseExtension tsl = DatabaseExtension.tsl("mm_tsl");

    @Test
    void countersAndTimerBucketsAreStoredOnTheTslTier() {
        MockClock clock = new MockClock();
        clock.add(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli() - clock.wallTime(), TimeUnit.MILLISECONDS);
        TimescaleConfig config = key -> key.equals("timescale.step") ? "1m" : null;
        try (StorageEngine engine = StorageEngine.create(tsl.config().build())) {
            try (TimescaleMeterRegistry registry = TimescaleMeterRegistry.builder(config)
                    .clock(clock)
                    .storageEngine(engine)
                    .build()) {
                Counter orders = registry.counter("tsl.orders", "venue", "poly");
                Timer latency = Timer.builder("tsl.latency")
                        .serviceLevelObjectives(Duration.ofMillis(10))
                        .register(registry);
                clock.add(50, TimeUnit.SECONDS);
                orders.increment(3);
                latency.record(Duration.ofMillis(5));
                latency.record(Duration.ofMillis(20));
                clock.add(10, TimeUnit.SECONDS);
                registry.publish();
                assertThat(registry.publishStats().failures()).isZero();
            }
            StoredRows stored = new StoredRows(engine);
            assertThat(stored.values("tsl_orders")).containsExactly(3.0, 0.0);
            assertThat(stored.values("tsl_latency_count")).containsExactly(2.0, 0.0);
            assertThat(stored.histograms("tsl_latency"))
                    .extracting(StoredRows.Histogram::counts)
                    .containsExactly(List.of(1L, 1L));
        }
    }
}
