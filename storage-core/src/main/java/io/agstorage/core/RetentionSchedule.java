package io.agstorage.core;

import static io.agstorage.core.ConfigChecks.inRange;

import java.time.Duration;

/**
 * How the engine runs retention by itself: a {@link StorageEngine} created from a configuration starts a
 * {@code RetentionScheduler} (one leader across every JVM on the database, the others skip) unless
 * {@code retention.enabled} is false, and stops it on {@link StorageEngine#close()}. Part of {@link StorageConfig}
 * ({@link StorageConfig#retentionSchedule()}); set by key ({@link StorageConfig.Builder#set}, YAML, environment).
 *
 * @param enabled {@code retention.enabled}: whether the engine runs the retention scheduler. Default: true
 * @param intervalSec {@code retention.interval_sec}: seconds between the end of one run and the start of the next.
 *     Default: 900 (15 minutes)
 * @param initialDelaySec {@code retention.initial_delay_sec}: seconds from the engine's start to the first run.
 *     Default: 30
 * @param seriesGraceHours {@code retention.series_grace_hours}: a {@code series} row with no samples, histograms,
 *     exemplars, rollup rows or cumulative state left is deleted once no writer has resolved it for this long (every
 *     writer resolves the ids it writes at least every 15 minutes, which keeps them). Default: 24; at least 2
 */
public record RetentionSchedule(boolean enabled, int intervalSec, int initialDelaySec, int seriesGraceHours) {

    /** The defaults: enabled, every 15 minutes, first after 30 s, series kept 24 hours after their last use. */
    public static final RetentionSchedule DEFAULTS = new RetentionSchedule(true, 900, 30, 24);

    /** @throws IllegalArgumentException naming the key, the rule and the value */
    public RetentionSchedule {
        inRange("retention.interval_sec", intervalSec, 1, 604_800);
        inRange("retention.initial_delay_sec", initialDelaySec, 0, 86_400);
        inRange("retention.series_grace_hours", seriesGraceHours, 2, 876_000);
    }

    /** A copy with {@code retention.enabled} set. */
    public RetentionSchedule withEnabled(boolean enabled) {
        return new RetentionSchedule(enabled, intervalSec, initialDelaySec, seriesGraceHours);
    }

    /** A copy with {@code retention.interval_sec} set. */
    public RetentionSchedule withIntervalSec(int seconds) {
        return new RetentionSchedule(enabled, seconds, initialDelaySec, seriesGraceHours);
    }

    /** A copy with {@code retention.initial_delay_sec} set. */
    public RetentionSchedule withInitialDelaySec(int seconds) {
        return new RetentionSchedule(enabled, intervalSec, seconds, seriesGraceHours);
    }

    /** A copy with {@code retention.series_grace_hours} set. */
    public RetentionSchedule withSeriesGraceHours(int hours) {
        return new RetentionSchedule(enabled, intervalSec, initialDelaySec, hours);
    }

    /** {@code retention.interval_sec} as a duration. */
    public Duration interval() {
        return Duration.ofSeconds(intervalSec);
    }

    /** {@code retention.initial_delay_sec} as a duration. */
    public Duration initialDelay() {
        return Duration.ofSeconds(initialDelaySec);
    }

    /** {@code retention.series_grace_hours} as a duration. */
    public Duration seriesGrace() {
        return Duration.ofHours(seriesGraceHours);
    }

    static boolean isKey(String key) {
        return switch (key) {
            case "retention.enabled",
                    "retention.interval_sec",
                    "retention.initial_delay_sec",
                    "retention.series_grace_hours" -> true;
            default -> false;
        };
    }

    /** This with one key set from its text form. */
    RetentionSchedule with(String key, String value) {
        return switch (key) {
            case "retention.enabled" -> withEnabled(StorageConfigBinder.parseBoolean(key, value));
            case "retention.interval_sec" -> withIntervalSec(StorageConfigBinder.parseInt(key, value));
            case "retention.initial_delay_sec" -> withInitialDelaySec(StorageConfigBinder.parseInt(key, value));
            case "retention.series_grace_hours" -> withSeriesGraceHours(StorageConfigBinder.parseInt(key, value));
            default -> throw new IllegalArgumentException("unknown configuration key '" + key + "'");
        };
    }

    /** The keys and values as {@link StorageConfig#toString()} shows them. */
    String describe() {
        return "retention_enabled=" + enabled + ", retention_interval_sec=" + intervalSec
                + ", retention_initial_delay_sec=" + initialDelaySec + ", series_grace_hours=" + seriesGraceHours;
    }
}
