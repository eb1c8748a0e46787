package io.agstorage.core;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds {@link StorageConfig}'s keys from their text form: one key ({@code ingestion.batch_size}), the four
 * sections of a {@link ConfigTree}, or {@code AG_STORAGE_<SECTION>_<KEY>} environment variables.
 */
final class StorageConfigBinder {

    private static final Logger log = LoggerFactory.getLogger(StorageConfig.class);

    private StorageConfigBinder() {}

    static void set(StorageConfig.Builder b, String key, String value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, key);
        switch (key) {
            case "database.url" -> b.setUrl(value.isBlank() ? null : value);
            case "database.host" -> b.setHost(value);
            case "database.port" -> b.setPort(parseInt(key, value));
            case "database.database" -> b.setDatabase(value);
            case "database.user" -> b.setUser(value);
            case "database.password" -> b.setPassword(value);
            case "database.schema" -> b.setSchema(value);
            case "database.max_connections" -> b.setMaxConnections(parseInt(key, value));
            case "database.connection_timeout_sec" -> b.setConnectionTimeoutSec(parseInt(key, value));
            case "database.migrate" -> b.setMigrate(parseBoolean(key, value));
            case "ingestion.batch_size" -> b.setBatchSize(parseInt(key, value));
            case "ingestion.flush_interval_ms" -> b.setFlushIntervalMs(parseLong(key, value));
            case "ingestion.max_buffer_size" -> b.setMaxBufferSize(parseInt(key, value));
            case "ingestion.write_method" -> b.setWriteMethod(parseWriteMethod(value));
            case "ingestion.write_timeout_ms" -> b.setWriteTimeoutMs(parseLong(key, value));
            case "ingestion.spool_directory" -> b.setSpoolDirectory(value.isBlank() ? null : Path.of(value.trim()));
            case "retention.metrics_retention_days" -> b.setMetricsRetentionDays(parseInt(key, value));
            case "retention.execution_retention_days" -> b.setExecutionRetentionDays(parseInt(key, value));
            case "retention.compression_after_days" -> b.setCompressionAfterDays(parseInt(key, value));
            case "query.max_results" -> b.setMaxResults(parseInt(key, value));
            case "query.cache_ttl_sec" -> b.setCacheTtlSec(parseInt(key, value));
            case "query.enable_cache" -> b.setEnableCache(parseBoolean(key, value));
            default -> {
                if (key.startsWith("limits.")) {
                    b.setLimits(b.limits.toBuilder().set(key, value).build());
                } else if (ReadReplica.isKey(key)) {
                    b.readReplica = ReadReplica.parse(value);
                } else if (DatabaseTimeouts.isKey(key)) {
                    b.databaseTimeouts = b.databaseTimeouts.with(key, value);
                } else if (RetentionSchedule.isKey(key)) {
                    b.retentionSchedule = b.retentionSchedule.with(key, value);
                } else {
                    throw new IllegalArgumentException("unknown configuration key '" + key + "'");
                }
            }
        }
    }

    static void tree(StorageConfig.Builder b, ConfigTree tree) {
        Objects.requireNonNull(tree, "tree");
        for (String section : tree.sections()) {
            if (!tree.isMapping(section)) {
                throw new IllegalArgumentException("unknown configuration key '" + section
                        + "' (expected one of the sections database, ingestion, retention, query, limits)");
            }
            tree.keys(section).forEach((name, value) -> {
                String key = section + "." + name;
                if (value == null) {
                    throw new IllegalArgumentException(key + " must be a scalar value, was null");
                }
                set(b, key, value);
            });
        }
    }

    static void environment(StorageConfig.Builder b, Map<String, String> env) {
        Objects.requireNonNull(env, "env");
        env.forEach((name, value) -> {
            if (!name.startsWith(ConfigTree.ENV_PREFIX)) {
                return;
            }
            String rest = name.substring(ConfigTree.ENV_PREFIX.length()).toLowerCase(Locale.ROOT);
            int dot = rest.indexOf('_');
            if (dot <= 0 || !isKnownSection(rest.substring(0, dot))) {
                if (!rest.startsWith("test_") && !rest.startsWith("bench_")) {
                    log.warn("Ignoring environment variable {}: it names no configuration key", name);
                }
                return;
            }
            String key = rest.substring(0, dot) + "." + rest.substring(dot + 1);
            try {
                set(b, key, value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage() + " (from environment variable " + name + ")", e);
            }
        });
    }

    private static boolean isKnownSection(String section) {
        return switch (section) {
            case "database", "ingestion", "retention", "query", "limits" -> true;
            default -> false;
        };
    }

    private static WriteMethod parseWriteMethod(String value) {
        try {
            return WriteMethod.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ConfigChecks.invalid(
                    "ingestion.write_method", "must be one of auto, copy, insert", "'" + value + "'");
        }
    }

    static int parseInt(String key, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw ConfigChecks.invalid(key, "must be an integer", "'" + value + "'");
        }
    }

    private static long parseLong(String key, String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw ConfigChecks.invalid(key, "must be an integer", "'" + value + "'");
        }
    }

    static boolean parseBoolean(String key, String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ConfigChecks.invalid(key, "must be true or false", "'" + value + "'");
        };
    }
}
