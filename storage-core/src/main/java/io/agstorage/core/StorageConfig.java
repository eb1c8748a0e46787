package io.agstorage.core;

import static io.agstorage.core.ConfigChecks.identifier;
import static io.agstorage.core.ConfigChecks.inRange;
import static io.agstorage.core.ConfigChecks.invalid;
import static io.agstorage.core.ConfigChecks.nonBlank;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Immutable configuration of a {@link StorageEngine}: YAML with {@code AG_STORAGE_*} environment overrides, or code.
 *
 * <p>YAML keys are grouped in five sections (every key is optional; defaults in {@link Builder}, {@link SeriesLimits}):
 * <pre>{@code
 * database:  { url, host, port, database, user, password, schema, max_connections, connection_timeout_sec, migrate,
 *              socket_timeout_sec, connect_timeout_sec, tcp_keepalive, read_url }
 * ingestion: { batch_size, flush_interval_ms, max_buffer_size, write_method, write_timeout_ms }
 * retention: { metrics_retention_days, execution_retention_days, compression_after_days, enabled, interval_sec, ...}
 * query:     { max_results, cache_ttl_sec, enable_cache }
 * limits:    { max_series, max_series_per_metric, max_label_bytes, max_cached_series }
 * }</pre>
 *
 * {@code AG_STORAGE_<SECTION>_<KEY>} (say {@code AG_STORAGE_INGESTION_BATCH_SIZE=5000}) overrides the YAML. A bad value
 * fails at load naming the key, the rule and the value; so does an unknown key: a typo never falls back to a default.
 */
public final class StorageConfig {

    /** A private copy of the builder that built it: never exposed, so never changed. */
    private final Builder values;

    private StorageConfig(Builder b) {
        this.values = b.copy();
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
        ConfigTree tree = ConfigTree.read(file);
        return builder().tree(tree).environment(System.getenv()).build();
    }

    /** A builder starting from the defaults, without environment overrides. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values. */
    public Builder toBuilder() {
        return values.copy();
    }

    /** The JDBC URL: {@code database.url} when set, else built from host, port and database. */
    public String jdbcUrl() {
        return values.url != null
                ? values.url
                : "jdbc:postgresql://" + values.host + ":" + values.port + "/" + values.database;
    }

    public String user() {
        return values.user;
    }

    public String password() {
        return values.password;
    }

    public String schema() {
        return values.schema;
    }

    public int maxConnections() {
        return values.maxConnections;
    }

    public int connectionTimeoutSec() {
        return values.connectionTimeoutSec;
    }

    /** {@code database.socket_timeout_sec}, {@code database.connect_timeout_sec}, {@code database.tcp_keepalive}. */
    public DatabaseTimeouts databaseTimeouts() {
        return values.databaseTimeouts;
    }

    /** {@code database.read_url}: where queries go ({@link ReadReplica}; set it with {@link Builder#set}). */
    public ReadReplica readReplica() {
        return values.readReplica;
    }

    /** Whether the engine applies pending migrations at start ({@code database.migrate}). */
    public boolean migrate() {
        return values.migrate;
    }

    public int batchSize() {
        return values.batchSize;
    }

    public long flushIntervalMs() {
        return values.flushIntervalMs;
    }

    public int maxBufferSize() {
        return values.maxBufferSize;
    }

    public WriteMethod writeMethod() {
        return values.writeMethod;
    }

    public long writeTimeoutMs() {
        return values.writeTimeoutMs;
    }

    /** {@code ingestion.spool_directory}, or null when the engine keeps no spool (the default). */
    public @Nullable Path spoolDirectory() {
        return values.spoolDirectory;
    }

    public int metricsRetentionDays() {
        return values.metricsRetentionDays;
    }

    public int executionRetentionDays() {
        return values.executionRetentionDays;
    }

    public int compressionAfterDays() {
        return values.compressionAfterDays;
    }
    /** The engine's own retention scheduler: {@code retention.enabled}, {@code retention.interval_sec}, ... */
    public RetentionSchedule retentionSchedule() {
        return values.retentionSchedule;
    }

    public int maxResults() {
        return values.maxResults;
    }

    public int cacheTtlSec() {
        return values.cacheTtlSec;
    }

    public boolean enableCache() {
        return values.enableCache;
    }

    /** The {@code limits} section: how many series the engine may create, and how large one may be. */
    public SeriesLimits limits() {
        return values.limits;
    }

    @Override
    public String toString() {
        return ConfigChecks.describe(this);
    }

    /**
     * Builds a {@link StorageConfig}. Setters check ranges and throw {@link IllegalArgumentException}
     * naming the key, the rule and the value; {@link #build()} checks across keys.
     */
    public static final class Builder implements Cloneable {
        private @Nullable String url;
        private String host = "localhost";
        private int port = 5432;
        private String database = "ag_storage";
        private String user = "postgres";
        private String password = "";
        private String schema = "ag_storage";
        private int maxConnections = 10;
        private int connectionTimeoutSec = 30;
        DatabaseTimeouts databaseTimeouts = DatabaseTimeouts.DEFAULTS;
        ReadReplica readReplica = ReadReplica.NONE;
        RetentionSchedule retentionSchedule = RetentionSchedule.DEFAULTS;
        private boolean migrate = true;
        private int batchSize = 10_000;
        private long flushIntervalMs = 1_000;
        private int maxBufferSize = 100_000;
        private WriteMethod writeMethod = WriteMethod.AUTO;
        private long writeTimeoutMs = 30_000;
        private @Nullable Path spoolDirectory;
        private int metricsRetentionDays = 90;
        private int executionRetentionDays = 365;
        private int compressionAfterDays = 7;
        private int maxResults = 100_000;
        private int cacheTtlSec = 60;
        private boolean enableCache = true;
        SeriesLimits limits = SeriesLimits.defaults();

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
            this.schema = identifier("database.schema", schema);
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

        /** The bounds of every database wait ({@link DatabaseTimeouts}). Default: {@link DatabaseTimeouts#DEFAULTS}. */
        public Builder setDatabaseTimeouts(DatabaseTimeouts timeouts) {
            this.databaseTimeouts = Objects.requireNonNull(timeouts, "timeouts");
            return this;
        }

        /** {@code database.migrate}: apply pending migrations at start. Default: true. */
        public Builder setMigrate(boolean migrate) {
            this.migrate = migrate;
            return this;
        }

        /** {@code ingestion.batch_size}: flush at this many samples (8x if all spooled, max 100k). Default: 10,000. */
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

        /**
         * {@code ingestion.spool_directory}: where what finds the buffer full ({@code record}, {@code bufferMetric},
         * {@code submit}) is spooled and replayed from, as room returns and at the next start. Default: none (dropped,
         * counted).
         */
        public Builder setSpoolDirectory(@Nullable Path directory) {
            this.spoolDirectory = directory;
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

        /** The {@code limits} section ({@code limits.*} keys). Default: {@link SeriesLimits#defaults()}. */
        public Builder setLimits(SeriesLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /**
         * Sets one key (dotted: {@code ingestion.batch_size}) from its text form, as YAML and the environment do.
         *
         * @throws IllegalArgumentException for an unknown key or a bad value
         */
        public Builder set(String key, String value) {
            StorageConfigBinder.set(this, key, value);
            return this;
        }

        /** Applies every key of a YAML document; unknown keys and non-scalar values are errors. */
        public Builder yaml(String yaml) {
            return tree(ConfigTree.parse(yaml));
        }

        /**
         * Applies every key of the five sections; another section, an unknown key or a non-scalar value is an error
         * (a component with its own section in the file passes {@link ConfigTree#without} it).
         */
        public Builder tree(ConfigTree tree) {
            StorageConfigBinder.tree(this, tree);
            return this;
        }

        /** Applies {@code AG_STORAGE_<SECTION>_<KEY>} variables; other {@code AG_STORAGE_*} are logged, ignored. */
        public Builder environment(Map<String, String> env) {
            StorageConfigBinder.environment(this, env);
            return this;
        }

        /** Every field holds an immutable value (or a primitive): a shallow copy is a whole one. */
        private Builder copy() {
            try {
                return (Builder) clone();
            } catch (CloneNotSupportedException e) { // cannot happen: Builder is Cloneable
                throw new AssertionError(e);
            }
        }

        /** Checks across keys and builds the immutable configuration. */
        public StorageConfig build() {
            ConfigChecks.acrossKeys(batchSize, maxBufferSize, compressionAfterDays, metricsRetentionDays);
            return new StorageConfig(this);
        }
    }
}
