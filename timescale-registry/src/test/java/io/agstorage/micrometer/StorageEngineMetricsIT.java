package io.agstorage.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.testing.DatabaseExtension;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class StorageEngineMetricsIT {

    @RegisterExtension
    static final DatabaseExtension db = DatabaseExtension.apache("mm_health").withEngine();

    @Test
    void thePipelinesAndThePublishersHealthAreMeters() {
        MockClock clock = new MockClock();
        clock.add(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli(), TimeUnit.MILLISECONDS);
        TimescaleConfig config = key -> key.equals("timescale.step") ? "1m" : null;
        SimpleMeterRegistry observer = new SimpleMeterRegistry();
        try (TimescaleMeterRegistry registry = TimescaleMeterRegistry.builder(config)
                .clock(clock)
                .storageEngine(db.engine())
                .build()) {
            new StorageEngineMetrics(registry).withTags(Tags.of("bot", "mm")).bindTo(observer);
            long committedBefore = db.engine().ingestionStats().committed();
            registry.counter("health.orders").increment(3);
            clock.add(1, TimeUnit.MINUTES);
            registry.publish();

            assertThat(observer.get("ag_storage.ingestion.committed")
                            .tags("schema", db.schema(), "bot", "mm")
                            .functionCounter()
                            .count())
                    .isGreaterThan(committedBefore);
            assertThat(observer.get("ag_storage.ingestion.queue.depth").gauge().value())
                    .isGreaterThanOrEqualTo(0);
            assertThat(observer.get("ag_storage.ingestion.buffer.size").gauge().value())
                    .isEqualTo(8_192);
            assertThat(observer.get("ag_storage.ingestion.dropped").functionCounters())
                    .hasSize(3);
            assertThat(observer.get("ag_storage.ingestion.dropped")
                            .tag("reason", "full")
                            .functionCounter()
                            .count())
                    .isZero();
            assertThat(observer.get("ag_storage.ingestion.batch.latency")
                            .timeGauge()
                            .value(TimeUnit.MILLISECONDS))
                    .isGreaterThan(0);
            assertThat(observer.get("ag_storage.micrometer.publishes")
                            .functionCounter()
                            .count())
                    .isEqualTo(1);
            assertThat(observer.get("ag_storage.micrometer.publish.failures")
                            .functionCounter()
                            .count())
                    .isZero();
            assertThat(observer.get("ag_storage.micrometer.skipped")
                            .tag("reason", "non_finite")
                            .functionCounter()
                            .count())
                    .isZero();
            assertThat(observer.get("ag_storage.micrometer.publish.duration")
                            .timeGauge()
                            .value(TimeUnit.MILLISECONDS))
                    .isGreaterThan(0);
        }
    }

    @Test
    void boundToTheRegistryItselfTheHealthIsStoredWithTheOtherMetrics() {
        MockClock clock = new MockClock();
        clock.add(Instant.parse("2026-01-02T00:00:00Z").toEpochMilli(), TimeUnit.MILLISECONDS);
        TimescaleConfig config = key -> key.equals("timescale.step") ? "1m" : null;
        try (TimescaleMeterRegistry registry = TimescaleMeterRegistry.builder(config)
                .clock(clock)
                .storageEngine(db.engine())
                .build()) {
            new StorageEngineMetrics(registry).bindTo(registry);
            clock.add(1, TimeUnit.MINUTES);
            registry.publish();
        }
        StoredRows stored = new StoredRows(db.engine());
        assertThat(stored.values("ag_storage_ingestion_buffer_size")).contains(8_192.0);
        assertThat(stored.series("ag_storage_ingestion_batch_latency"))
                .isEqualTo(new StoredRows.Series("gauge", "seconds", ""));
        assertThat(stored.seriesCount("ag_storage_ingestion_dropped")).isEqualTo(3);
    }
}
