/**
 * Micrometer for TimescaleDB: {@link io.agstorage.micrometer.TimescaleMeterRegistry}, a step registry that publishes
 * through the ag-storage pipeline, its {@link io.agstorage.micrometer.TimescaleConfig}, and
 * {@link io.agstorage.micrometer.StorageEngineMetrics}, the pipeline's own health as meters.
 */
@NullMarked
package io.agstorage.micrometer;

import org.jspecify.annotations.NullMarked;
