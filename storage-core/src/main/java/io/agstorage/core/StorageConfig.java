package io.agstorage.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.agstorage.core.internal.Masking;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Immutable configuration of a {@link StorageEngine}, read from YAML with {@code AG_STORAGE_*}
 * environment overrides, or built in code.
 *
 * <p>YAML keys are grouped in four sections (every key is optional; defaults in {@link Builder}):
 *
 * <pre>{@code
 * database:  { url, host, port, database, user, password, schema, max_connections, connection_timeout_sec, migrate }
 * ingestion: { batch_size, flush_interval_ms, max_buffer_size, write_method, write_timeout_ms }
 * retention: { metrics_retention_days, execution_retention_days, compression_after_days }
 * query:     { max_results, cache_ttl_sec, enable_cache }
 * }</pre>
 *
 * An environment variable {@code AG_STORAGE_<SECTION>_<KEY>} (for example
 * {@code AG_STORAGE_INGESTION_BATCH_SIZE=5000} or {@code AG_STORAGE_DATABASE_URL}) overrides the YAML.
 * A bad value fails at load with the key, the rule and the value; an unknown YAML key is an error naming
 * it, so a typo never silently falls back to a default.
 */
public final class StorageConfig {

    private static final Logger log = LoggerFactory.getLogger(StorageConfig.class);
    private static final String ENV_PREFIX = "AG_STORAGE_";
    private static final Pattern SCHEMA_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final @Nullable String url;
    private final String host;
    private final int port;
    private final String database;
    private final String user;
    private final String password;
    private final String schema;
    private final int maxConnections;
    private final int connectionTimeoutSec;
    private final boolean migrate;
    private final int batchSize;
    private final long flushIntervalMs;
    private final int maxBufferSize;
    private final WriteMethod writeMethod;
    private final long writeTimeoutMs;
    private final int metricsRetentionDays;
    private final int executionRetentionDays;
    private final int compressionAfterDays;
    private final int maxResults;
    private final int cacheTtlSec;
    private final boolean enableCache;

    private StorageConfig(Builder b) {
        this.url = b.url;
        this.host = b.host;
        this.port = b.port;
        this.database = b.database;
        this.user = b.user;
        this.password = b.password;
        this.schema = b.schema;
        this.maxConnections = b.maxConnections;
        this.connectionTimeoutSec = b.connectionTimeoutSec;
        this.migrate = b.migrate;
        this.batchSize = b.batchSize;
        this.flushIntervalMs = b.flushIntervalMs;
        this.maxBufferSize = b.maxBufferSize;
        this.writeMethod = b.writeMethod;
        this.writeTimeoutMs = b.writeTimeoutMs;
        this.metricsRetentionDays = b.metricsRetentionDays;
        this.executionRetentionDays = b.executionRetentionDays;
        this.compressionAfterDays = b.compressionAfterDays;
        this.maxResults = b.maxResults;
        this.cacheTtlSec = b.cacheTtlSec;
        this.enableCache = b.enableCache;
    }

    /** The defaults, with {@code AG_STORAGE_*} environment overrides applied. */
    public static StorageConfig defaults() {
        return builder().environment(System.getenv()).build();
    }

    /** Parses YAML text, then applies {@code AG_STORAGE_*} environment overrides. */
    public static StorageConfig fromYaml(String yaml) {
        return builder().yaml(yaml).environment(System.getenv()).build();
    }

    /** Reads a YAML file, then applies {@code AG_STORAGE_*} environment overrides. */
    public static StorageConfig fromYamlFile(Path file) {
        Objects.requireNonNull(file, "file");
        try {
            return fromYaml(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read configuration file " + file, e);
        }
    }

    /** A builder starting from the defaults, without environment overrides. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.url = url;
        b.host = host;
        b.port = port;
        b.database = database;
        b.user = user;
        b.password = password;
        b.schema = schema;
        b.maxConnections = maxConnections;
        b.connectionTimeoutSec = connectionTimeoutSec;
        b.migrate = migrate;
        b.batchSize = batchSize;
        b.flushIntervalMs = flushIntervalMs;
        b.maxBufferSize = maxBufferSize;
        b.writeMethod = writeMethod;
        b.writeTimeoutMs = writeTimeoutMs;
        b.metricsRetentionDays = metricsRetentionDays;
        b.executionRetentionDays = executionRetentionDays;
        b.compressionAfterDays = compressionAfterDays;
        b.maxResults = maxResults;
        b.cacheTtlSec = cacheTtlSec;
        b.enableCache = enableCache;
        return b;
    }

    /** The JDBC URL: {@code database.url} when set, else built from host, port and database. */
    public String jdbcUrl() {
        return url != null ? url : "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    public String schema() {
        return schema;
    }

    public int maxConnections() {
        return maxConnections;
    }

    public int connectionTimeoutSec() {
        return connectionTimeoutSec;
    }
    /** Whether the engine applies pending migrations at start ({@code database.migrate}). */
    public boolean migrate() {
        return migrate;
    }

    public int batchSize() {
        return batchSize;
    }

    public long flushIntervalMs() {
        return flushIntervalMs;
    }

    public int maxBufferSize() {
        return maxBufferSize;
    }

    public WriteMethod writeMethod() {
        return writeMethod;
    }

    public long writeTimeoutMs() {
        return writeTimeoutMs;
    }

    public int metricsRetentionDays() {
        return metricsRetentionDays;
    }

    public int executionRetentionDays() {
        return executionRetentionDays;
    }

    public int compressionAfterDays() {
        return compressionAfterDays;
    }

    public int maxResults() {
        return maxResults;
    }

    public int cacheTtlSec() {
        return cacheTtlSec;
    }

    public boolean enableCache() {
        return enableCache;
    }

    @Override
    public String toString() {
        return "StorageConfig{url=" + Masking.maskJdbcUrl(jdbcUrl()) + ", user=" + user + ", password="
                + (password.isEmpty() ? "" : "****") + ", schema=" + schema + ", max_connections=" + maxConnections
                + ", connection_timeout_sec=" + connectionTimeoutSec + ", migrate=" + migrate + ", batch_size="
                + batchSize + ", flush_interval_ms=" + flushIntervalMs + ", max_buffer_size=" + maxBufferSize
                + ", write_method=" + writeMethod.name().toLowerCase(Locale.ROOT) + ", write_timeout_ms="
                + writeTimeoutMs + ", metrics_retention_days=" + metricsRetentionDays
                + ", execution_retention_days=" + executionRetentionDays + ", compression_after_days="
                + compressionAfterDays + ", max_results=" + maxResults + ", cache_ttl_sec=" + cacheTtlSec
                + ", enable_cache=" + enableCache + "}";
    }

    /**
     * Builds a {@link StorageConfig}. Setters check ranges and throw {@link IllegalArgumentException}
     * naming the key, the rule and the value; {@link #build()} checks across keys.
     */
    public static final class Builder {
        private @Nullable String url;
        private String host = "localhost";
        private int port = 5432;
        private String database = "ag_storage";
        private String user = "postgres";
        private String password = "";
        private String schema = "ag_storage";
        private int maxConnections = 10;
        private int connectionTimeoutSec = 30;
        private boolean migrate = true;
        private int batchSize = 10_000;
        private long flushIntervalMs = 1_000;
        private int maxBufferSize = 100_000;
        private WriteMethod writeMethod = WriteMethod.AUTO;
        private long writeTimeoutMs = 30_000;
        private int metricsRetentionDays = 90;
        private int executionRetentionDays = 365;
        private int compressionAfterDays = 7;
        private int maxResults = 100_000;
        private int cacheTtlSec = 60;
        private boolean enableCache = true;

        private Builder() {}

        /** {@code database.url}: a full JDBC URL, overriding host, port and database. Default: none. */
        public Builder setUrl(@Nullable String url) {
            if (url != null && !url.startsWith("jdbc:postgresql:")) {
                throw invalid("database.url", "must start with jdbc:postgresql:", Masking.maskJdbcUrl(url));
            }
            this.url = url;
            return this;
        }

        /** {@code database.host}. Default: {@code localhost}. */
        public Builder setHost(String host) {
            this.host = nonBlank("database.host", host);
            return this;
        }

        /** {@code database.port}. Default: 5432. */
        public Builder setPort(int port) {
            this.port = inRange("database.port", port, 1, 65_535);
            return this;
        }

        /** {@code database.database}. Default: {@code ag_storage}. */
        public Builder setDatabase(String database) {
            this.database = nonBlank("database.database", database);
            return this;
        }

        /** {@code database.user}. Default: {@code postgres}. */
        public Builder setUser(String user) {
            this.user = nonBlank("database.user", user);
            return this;
        }

        /** {@code database.password}. Default: empty. Never printed. */
        public Builder setPassword(String password) {
            this.password = Objects.requireNonNull(password, "database.password");
            return this;
        }

        /** {@code database.schema}: where ag-storage's tables live. Default: {@code ag_storage}. */
        public Builder setSchema(String schema) {
            Objects.requireNonNull(schema, "database.schema");
            if (!SCHEMA_NAME.matcher(schema).matches()) {
                throw invalid("database.schema", "must match [a-z_][a-z0-9_]{0,62}", schema);
            }
            this.schema = schema;
            return this;
        }

        /** {@code database.max_connections}: the pool's maximum size. Default: 10. */
        public Builder setMaxConnections(int maxConnections) {
            this.maxConnections = inRange("database.max_connections", maxConnections, 2, 1_000);
            return this;
        }

        /** {@code database.connection_timeout_sec}: how long to wait for a pooled connection. Default: 30. */
        public Builder setConnectionTimeoutSec(int seconds) {
            this.connectionTimeoutSec = inRange("database.connection_timeout_sec", seconds, 1, 3_600);
            return this;
        }

        /** {@code database.migrate}: apply pending migrations at start. Default: true. */
        public Builder setMigrate(boolean migrate) {
            this.migrate = migrate;
            return this;
        }

        /** {@code ingestion.batch_size}: the writer flushes when this many samples are pending. Default: 10,000. */
        public Builder setBatchSize(int batchSize) {
            this.batchSize = inRange("ingestion.batch_size", batchSize, 1, 1_000_000);
            return this;
        }

        /** {@code ingestion.flush_interval_ms}: the longest a buffered sample waits. Default: 1,000. */
        public Builder setFlushIntervalMs(long ms) {
            this.flushIntervalMs = inRange("ingestion.flush_interval_ms", ms, 1, 3_600_000);
            return this;
        }

        /** {@code ingestion.max_buffer_size}: ring capacity, rounded up to a power of two. Default: 100,000. */
        public Builder setMaxBufferSize(int size) {
            this.maxBufferSize = inRange("ingestion.max_buffer_size", size, 64, 1 << 26);
            return this;
        }

        /** {@code ingestion.write_method}: {@code auto}, {@code copy} or {@code insert}. Default: {@code auto}. */
        public Builder setWriteMethod(WriteMethod method) {
            this.writeMethod = Objects.requireNonNull(method, "ingestion.write_method");
            return this;
        }

        /** {@code ingestion.write_timeout_ms}: how long {@code insertMetric*} waits for the commit. Default: 30,000. */
        public Builder setWriteTimeoutMs(long ms) {
            this.writeTimeoutMs = inRange("ingestion.write_timeout_ms", ms, 1, 3_600_000);
            return this;
        }

        /** {@code retention.metrics_retention_days}. Default: 90. */
        public Builder setMetricsRetentionDays(int days) {
            this.metricsRetentionDays = inRange("retention.metrics_retention_days", days, 1, 36_500);
            return this;
        }

        /** {@code retention.execution_retention_days}. Default: 365. */
        public Builder setExecutionRetentionDays(int days) {
            this.executionRetentionDays = inRange("retention.execution_retention_days", days, 1, 36_500);
            return this;
        }

        /** {@code retention.compression_after_days}. Default: 7. */
        public Builder setCompressionAfterDays(int days) {
            this.compressionAfterDays = inRange("retention.compression_after_days", days, 1, 36_500);
            return this;
        }

        /** {@code query.max_results}: a query with more rows fails instead of truncating. Default: 100,000. */
        public Builder setMaxResults(int maxResults) {
            this.maxResults = inRange("query.max_results", maxResults, 1, 100_000_000);
            return this;
        }

        /** {@code query.cache_ttl_sec}. Default: 60. */
        public Builder setCacheTtlSec(int seconds) {
            this.cacheTtlSec = inRange("query.cache_ttl_sec", seconds, 1, 86_400);
            return this;
        }

        /** {@code query.enable_cache}. Default: true. */
        public Builder setEnableCache(boolean enable) {
            this.enableCache = enable;
            return this;
        }

        /**
         * Sets one key from its text form, as YAML and environment overrides do.
         *
         * @param key a dotted key such as {@code ingestion.batch_size}
         * @throws IllegalArgumentException for an unknown key or a bad value
         */
        public Builder set(String key, String value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, key);
            switch (key) {
                case "database.url" -> setUrl(value.isBlank() ? null : value);
                case "database.host" -> setHost(value);
                case "database.port" -> setPort(parseInt(key, value));
                case "database.database" -> setDatabase(value);
                case "database.user" -> setUser(value);
                case "database.password" -> setPassword(value);
                case "database.schema" -> setSchema(value);
                case "database.max_connections" -> setMaxConnections(parseInt(key, value));
                case "database.connection_timeout_sec" -> setConnectionTimeoutSec(parseInt(key, value));
                case "database.migrate" -> setMigrate(parseBoolean(key, value));
                case "ingestion.batch_size" -> setBatchSize(parseInt(key, value));
                case "ingestion.flush_interval_ms" -> setFlushIntervalMs(parseLong(key, value));
                case "ingestion.max_buffer_size" -> setMaxBufferSize(parseInt(key, value));
                case "ingestion.write_method" -> setWriteMethod(parseWriteMethod(value));
                case "ingestion.write_timeout_ms" -> setWriteTimeoutMs(parseLong(key, value));
                case "retention.metrics_retention_days" -> setMetricsRetentionDays(parseInt(key, value));
                case "retention.execution_retention_days" -> setExecutionRetentionDays(parseInt(key, value));
                case "retention.compression_after_days" -> setCompressionAfterDays(parseInt(key, value));
                case "query.max_results" -> setMaxResults(parseInt(key, value));
                case "query.cache_ttl_sec" -> setCacheTtlSec(parseInt(key, value));
                case "query.enable_cache" -> setEnableCache(parseBoolean(key, value));
                default -> throw new IllegalArgumentException("unknown configuration key '" + key + "'");
            }
            return this;
        }

        /** Applies every key of a YAML document; unknown keys and non-scalar values are errors. */
        public Builder yaml(String yaml) {
            Objects.requireNonNull(yaml, "yaml");
            JsonNode root;
            try {
                root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException("configuration is not valid YAML: " + e.getOriginalMessage(), e);
            }
            if (root == null || root.isMissingNode() || root.isNull()) {
                return this;
            }
            if (!root.isObject()) {
                throw new IllegalArgumentException(
                        "configuration must be a YAML mapping of sections, was " + root.getNodeType());
            }
            for (Iterator<Map.Entry<String, JsonNode>> sections = root.fields(); sections.hasNext(); ) {
                Map.Entry<String, JsonNode> section = sections.next();
                if (!section.getValue().isObject()) {
                    throw new IllegalArgumentException("unknown configuration key '" + section.getKey()
                            + "' (expected one of the sections database, ingestion, retention, query)");
                }
                for (Iterator<Map.Entry<String, JsonNode>> keys =
                                section.getValue().fields();
                        keys.hasNext(); ) {
                    Map.Entry<String, JsonNode> entry = keys.next();
                    String key = section.getKey() + "." + entry.getKey();
                    JsonNode value = entry.getValue();
                    if (!value.isValueNode() || value.isNull()) {
                        throw new IllegalArgumentException(key + " must be a scalar value, was " + value);
                    }
                    set(key, value.asText());
                }
            }
            return this;
        }

        /**
         * Applies {@code AG_STORAGE_<SECTION>_<KEY>} variables; other {@code AG_STORAGE_} variables that
         * name no key are logged and ignored (the prefix is shared with the project's scripts).
         */
        public Builder environment(Map<String, String> env) {
            Objects.requireNonNull(env, "env");
            env.forEach((name, value) -> {
                if (!name.startsWith(ENV_PREFIX)) {
                    return;
                }
                String rest = name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT);
                int dot = rest.indexOf('_');
                if (dot <= 0 || !isKnownSection(rest.substring(0, dot))) {
                    if (!rest.startsWith("test_") && !rest.startsWith("bench_")) {
                        log.warn("Ignoring environment variable {}: it names no configuration key", name);
                    }
                    return;
                }
                String key = rest.substring(0, dot) + "." + rest.substring(dot + 1);
                try {
                    set(key, value);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(e.getMessage() + " (from environment variable " + name + ")", e);
                }
            });
            return this;
        }

        /** Checks across keys and builds the immutable configuration. */
        public StorageConfig build() {
            if (batchSize > maxBufferSize) {
                throw new IllegalArgumentException("ingestion.batch_size must be <= ingestion.max_buffer_size ("
                        + maxBufferSize + "), was " + batchSize);
            }
            if (compressionAfterDays >= metricsRetentionDays) {
                throw new IllegalArgumentException(
                        "retention.compression_after_days must be < retention.metrics_retention_days ("
                                + metricsRetentionDays + "), was " + compressionAfterDays);
            }
            return new StorageConfig(this);
        }

        private static boolean isKnownSection(String section) {
            return switch (section) {
                case "database", "ingestion", "retention", "query" -> true;
                default -> false;
            };
        }

        private static WriteMethod parseWriteMethod(String value) {
            try {
                return WriteMethod.valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw invalid("ingestion.write_method", "must be one of auto, copy, insert", "'" + value + "'");
            }
        }

        private static int parseInt(String key, String value) {
            try {
                return Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                throw invalid(key, "must be an integer", "'" + value + "'");
            }
        }

        private static long parseLong(String key, String value) {
            try {
                return Long.parseLong(value.trim());
            } catch (NumberFormatException e) {
                throw invalid(key, "must be an integer", "'" + value + "'");
            }
        }

        private static boolean parseBoolean(String key, String value) {
            return switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "true" -> true;
                case "false" -> false;
                default -> throw invalid(key, "must be true or false", "'" + value + "'");
            };
        }

        private static String nonBlank(String key, String value) {
            Objects.requireNonNull(value, key);
            if (value.isBlank()) {
                throw invalid(key, "must not be blank", "'" + value + "'");
            }
            return value;
        }

        private static int inRange(String key, int value, int min, int max) {
            return (int) inRange(key, (long) value, min, max);
        }

        private static long inRange(String key, long value, long min, long max) {
            if (value < min) {
                throw invalid(key, min == 1 ? "must be > 0" : "must be >= " + min, value);
            }
            if (value > max) {
                throw invalid(key, "must be <= " + max, value);
            }
            return value;
        }

        private static IllegalArgumentException invalid(String key, String rule, Object value) {
            return new IllegalArgumentException(key + " " + rule + ", was " + value);
        }
    }
}
