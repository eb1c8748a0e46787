package io.agstorage.micrometer;

/**
 * What a {@link TimescaleMeterRegistry} has published since it started.
 *
 * @param publishes steps published and confirmed committed
 * @param failures publishes that failed or were not confirmed within {@code timescale.publishTimeout} (their samples
 *     may still be written later; see the engine's {@link io.agstorage.core.IngestionStats})
 * @param samples samples and histogram rows submitted
 * @param nonFiniteSkipped values skipped because they were NaN or infinite
 * @param invalidMeters meters (or histogram rows) not stored because they broke a storage rule
 * @param lastPublishMillis how long the last publish took, from reading the meters to the commit
 */
public record PublishStats(
        long publishes,
        long failures,
        long samples,
        long nonFiniteSkipped,
        long invalidMeters,
        double lastPublishMillis) {}
