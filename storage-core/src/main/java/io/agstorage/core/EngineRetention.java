package io.agstorage.core;

import io.agstorage.core.retention.RetentionManager;
import io.agstorage.core.retention.RetentionScheduler;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the engine's own retention scheduler ({@link RetentionSchedule}), so that no application has to. */
final class EngineRetention {

    private static final Logger log = LoggerFactory.getLogger(EngineRetention.class);

    private EngineRetention() {}

    /**
     * A started scheduler with the engine's {@code retention.*} settings, or null when {@code retention.enabled} is
     * false. Its manager installs the tier's objects at once unless another instance is running retention (then its
     * first run does), so an engine's start never waits for another's run.
     */
    static @Nullable RetentionScheduler start(StorageEngine engine) {
        RetentionSchedule schedule = engine.config().retentionSchedule();
        if (!schedule.enabled()) {
            log.info(
                    "Retention scheduler of schema {} not started: retention.enabled is false",
                    engine.config().schema());
            return null;
        }
        return RetentionScheduler.builder(RetentionManager.create(engine))
                .setInterval(schedule.interval())
                .setInitialDelay(schedule.initialDelay())
                .build()
                .start();
    }
}
