package io.agstorage.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.StorageEngine;
import io.agstorage.core.testing.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.tck.MeterRegistryCompatibilityKit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * Micrometer's own compatibility kit, run whole against a registry backed by a real storage engine on the Apache-tier
 * database. After each kit test the registry is closed, which publishes whatever the test recorded through the real
 * pipeline: every publish must commit without a failure.
 */
class TimescaleMeterRegistryCompatibilityIT extends MeterRegistryCompatibilityKit {

    private static final Duration STEP = Duration.ofMinutes(1);
    private static final TestDatabase db = TestDatabase.apache();
    private static final String schema = TestDatabase.uniqueSchema("mm_tck");
    private static StorageEngine engine;
    private final List<TimescaleMeterRegistry> registries = new ArrayList<>();

    @BeforeAll
    static void startEngine() {
        engine = StorageEngine.create(db.config(schema).build());
    }

    @AfterAll
    static void stopEngine() {
        engine.close();
        db.dropSchema(schema);
    }

    @Override
    public MeterRegistry registry() {
        TimescaleConfig config = key -> key.equals("timescale.step") ? STEP.toString() : null;
        TimescaleMeterRegistry registry = TimescaleMeterRegistry.builder(config)
                .clock(new MockClock())
                .storageEngine(engine)
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
        assertThat(engine.isClosed())
                .as("a registry must not close a shared engine")
                .isFalse();
    }
}
