package io.agstorage.spring.boot;

import io.agstorage.core.StorageEngine;
import io.agstorage.core.retention.RetentionMetrics;
import io.agstorage.core.retention.RetentionScheduler;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;

/**
 * The meters of the engine's own retention scheduler ({@link RetentionMetrics}: runs by outcome, chunks and rows
 * removed, last run), when it runs one; nothing when {@code ag-storage.retention.enabled} is false.
 */
public final class EngineRetentionMetrics implements MeterBinder {

    private final StorageEngine engine;

    public EngineRetentionMetrics(StorageEngine engine) {
        this.engine = Objects.requireNonNull(engine, "engine");
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        RetentionScheduler scheduler = engine.retentionScheduler();
        if (scheduler != null) {
            new RetentionMetrics(scheduler).bindTo(registry);
        }
    }
}
