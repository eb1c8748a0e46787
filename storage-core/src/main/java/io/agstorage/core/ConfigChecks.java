package io.agstorage.core;

import java.util.Locale;
import java.util.Objects;

/** The value rules of {@link StorageConfig.Builder}'s setters, each failing with the key, the rule and the value. */
final class ConfigChecks {

    private ConfigChecks() {}

    static String nonBlank(String key, String value) {
        Objects.requireNonNull(value, key);
        if (value.isBlank()) {
            throw invalid(key, "must not be blank", "'" + value + "'");
        }
        return value;
    }

    static String identifier(String key, String value) {
        Objects.requireNonNull(value, key);
        if (!Sql.isIdentifier(value)) {
            throw invalid(key, "must match " + Sql.IDENTIFIER_RULE, value);
        }
        return value;
    }

    static int inRange(String key, int value, int min, int max) {
        return (int) inRange(key, (long) value, min, max);
    }

    static long inRange(String key, long value, long min, long max) {
        if (value < min) {
            throw invalid(key, min == 1 ? "must be > 0" : "must be >= " + min, value);
        }
        if (value > max) {
            throw invalid(key, "must be <= " + max, value);
        }
        return value;
    }

    static IllegalArgumentException invalid(String key, String rule, Object value) {
        return new IllegalArgumentException(key + " " + rule + ", was " + value);
    }

    /** The checks that span keys, run by {@link StorageConfig.Builder#build()}. */
    static void acrossKeys(int batchSize, int maxBufferSize, int compressionAfterDays, int metricsRetentionDays) {
        if (batchSize > maxBufferSize) {
            throw new IllegalArgumentException("ingestion.batch_size must be <= ingestion.max_buffer_size ("
                    + maxBufferSize + "), was " + batchSize);
        }
        if (compressionAfterDays >= metricsRetentionDays) {
            throw new IllegalArgumentException(
                    "retention.compression_after_days must be < retention.metrics_retention_days ("
                            + metricsRetentionDays + "), was " + compressionAfterDays);
        }
    }

    /** {@link StorageConfig#toString()}: every setting, the password and the URL's credentials masked. */
    static String describe(StorageConfig c) {
        return "StorageConfig{url=" + Masking.maskJdbcUrl(c.jdbcUrl()) + ", user=" + c.user() + ", password="
                + (c.password().isEmpty() ? "" : "****") + ", schema=" + c.schema() + ", max_connections="
                + c.maxConnections() + ", connection_timeout_sec=" + c.connectionTimeoutSec() + ", "
                + c.databaseTimeouts().describe() + ", " + c.readReplica().describe() + ", migrate="
                + c.migrate() + ", batch_size=" + c.batchSize() + ", flush_interval_ms=" + c.flushIntervalMs()
                + ", max_buffer_size=" + c.maxBufferSize() + ", write_method="
                + c.writeMethod().name().toLowerCase(Locale.ROOT) + ", write_timeout_ms=" + c.writeTimeoutMs()
                + ", spool_directory=" + c.spoolDirectory() + ", metrics_retention_days=" + c.metricsRetentionDays()
                + ", execution_retention_days=" + c.executionRetentionDays() + ", compression_after_days="
                + c.compressionAfterDays() + ", " + c.retentionSchedule().describe() + ", max_results=" + c.maxResults()
                + ", cache_ttl_sec=" + c.cacheTtlSec()
                + ", enable_cache=" + c.enableCache() + ", " + c.limits() + "}";
    }
}
