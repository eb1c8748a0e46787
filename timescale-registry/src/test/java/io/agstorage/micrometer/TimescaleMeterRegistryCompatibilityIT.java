package io.agstorage.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.testing.DatabaseExtension;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.tck.MeterRegistryCompatibilityKit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Micrometer's own compatibility kit, run whole against a registry backed by a real storage engine on the Apache-tier
 * database. After each kit test the registry is closed, which publishes whatever the test recorded through the real
 * pipeline: every publish must commit without a failure.
 */
class TimescaleMeterRegistryCompatibilityIT extends MeterRegistryCompatibilityKit {

    private static final Duration STEP = Duration.ofMinutes(1);

    @RegisterExtension
    static final DatabaseExtension db = DatabaseExtension.apache("mm_tck").withEngine();

    private final List<TimescaleMeterRegistry> registries = new ArrayList<>();

    @Override
    public MeterRegistry registry() {
        TimescaleConfig config = key -> key.equals("timescale.step") ? STEP.toString() : null;
        TimescaleMeterRegistry registry = TimescaleMeterRegistry.builder(config)
                .clock(new MockClock())
                .storageEngine(db.engine())
                .build();
        registries.add(registry);
        return registry;
    }

    @Override
    public Duration step() {
        return STEP;
    }

    @AfterEach
    void closingPublishesWithoutFailures() {
        for (TimescaleMeterRegistry registry : registries) {
            registry.close();
            assertThat(registry.publishStats().failures())
                    .as("publish failures of %s", registry)
                    .isZero();
        }
        registries.clear();
        assertThat(db.engine().isClosed())
                .as("a registry must not close a shared engine")
                .isFalse();
    }
}
