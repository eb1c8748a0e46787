package io.agstorage.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.testing.DatabaseExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The engine on TimescaleDB with the Timescale License (the WASM server here: no COPY, one shared session). */
class TslTierIT {

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.tsl("tsl");

    private static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");

    @Test
    void detectsTheLicenseAndWritesWithoutCopy() {
        String schema = db.schema();
        try (StorageEngine engine = StorageEngine.create(db.config().build())) {
            assertThat(engine.capabilities().tier()).isEqualTo(TimescaleTier.COMMUNITY);
            assertThat(engine.capabilities().hasTimescaleLicense()).isTrue();
            List<MetricPoint> points = new ArrayList<>();
            for (int i = 0; i < 3_000; i++) {
                points.add(MetricPoint.of("tsl_metric", i)
                        .withLabel("shard", String.valueOf(i % 3))
                        .at(T0.plusSeconds(i)));
            }

            engine.insertMetricsBatch(points);

            assertThat(engine.queryMetrics("tsl_metric", T0, T0.plusSeconds(3_000), null))
                    .hasSize(3_000);
            assertThat(engine.queryAggregated(
                                    "tsl_metric", T0, T0.plusSeconds(3_600), Duration.ofHours(1), Aggregation.SUM)
                            .buckets())
                    .containsExactly(new Bucket(T0, 2_999.0 * 3_000 / 2));
        }
    }
}
