package io.agstorage.core.retention;

import io.agstorage.core.StorageConfig;

/**
 * The {@link StorageConfig} setting that decides how long a contributed hypertable keeps its rows. A
 * {@link RetentionContributor} names one per table; the number of days is read from the engine's configuration
 * (or from the {@link RetentionManager.Builder}'s override of that same setting), never carried by the contributor.
 */
public enum RetentionSetting {
    /** {@code retention.metrics_retention_days} ({@link StorageConfig#metricsRetentionDays()}, default 90). */
    METRICS("retention.metrics_retention_days"),
    /** {@code retention.execution_retention_days} ({@link StorageConfig#executionRetentionDays()}, default 365). */
    EXECUTIONS("retention.execution_retention_days");

    private final String key;

    RetentionSetting(String key) {
        this.key = key;
    }

    /** The configuration key, as in YAML and in error messages: {@code retention.metrics_retention_days}. */
    public String key() {
        return key;
    }

    /** The days this setting has in {@code config}. */
    public int days(StorageConfig config) {
        return switch (this) {
            case METRICS -> config.metricsRetentionDays();
            case EXECUTIONS -> config.executionRetentionDays();
        };
    }
}
