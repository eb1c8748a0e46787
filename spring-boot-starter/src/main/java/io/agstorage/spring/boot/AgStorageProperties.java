package io.agstorage.spring.boot;

import io.agstorage.core.StorageConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code ag-storage.*}: the {@link StorageConfig} of the auto-configured engine. Unset keys keep the library's
 * defaults; every value is checked by {@link StorageConfig}'s rules (a bad one fails the start naming the key).
 */
@ConfigurationProperties("ag-storage")
public class AgStorageProperties {

    /** JDBC URL of the TimescaleDB database; unset: the application's DataSource when there is one. */
    private @Nullable String url;
    /** Database user (with the url). */
    private @Nullable String user;
    /** Database password (with the url). */
    private @Nullable String password;
    /** Schema that holds ag-storage's tables. */
    private String schema = "ag_storage";
    /** Size of the engine's own connection pool (with the url). */
    private int maxConnections = 10;
    /** Whether pending migrations are applied at start. */
    private boolean migrate = true;

    private final Buffer buffer = new Buffer();
    private final Retention retention = new Retention();
    private final Execution execution = new Execution();
    /**
     * Any other StorageConfig key by its YAML name, e.g. {@code ag-storage.settings[limits.max_series]=50000} or
     * {@code ag-storage.settings[database.socket_timeout_sec]=30}; applied last.
     */
    private final Map<String, String> settings = new LinkedHashMap<>();

    /** {@code ag-storage.buffer.*}: the ingestion ring and its writer. */
    public static class Buffer {
        /** Samples per batch the writer flushes at. */
        private int batchSize = 10_000;
        /** Longest a buffered sample waits for the writer. */
        private Duration flushInterval = Duration.ofSeconds(1);
        /** Ring slots, rounded up to a power of two. */
        private int maxSize = 100_000;
        /** How long a synchronous write waits for its commit. */
        private Duration writeTimeout = Duration.ofSeconds(30);
        /** Where points that find the buffer full are spooled instead of dropped; unset: dropped and counted. */
        private @Nullable Path spoolDirectory;

        public int getBatchSize() {
            return batchSize;
        }

        public void setBatchSize(int batchSize) {
            this.batchSize = batchSize;
        }

        public Duration getFlushInterval() {
            return flushInterval;
        }

        public void setFlushInterval(Duration flushInterval) {
            this.flushInterval = flushInterval;
        }

        public int getMaxSize() {
            return maxSize;
        }

        public void setMaxSize(int maxSize) {
            this.maxSize = maxSize;
        }

        public Duration getWriteTimeout() {
            return writeTimeout;
        }

        public void setWriteTimeout(Duration writeTimeout) {
            this.writeTimeout = writeTimeout;
        }

        public @Nullable Path getSpoolDirectory() {
            return spoolDirectory;
        }

        public void setSpoolDirectory(@Nullable Path spoolDirectory) {
            this.spoolDirectory = spoolDirectory;
        }
    }

    /** {@code ag-storage.retention.*}: how long data is kept, and the engine's own retention scheduler. */
    public static class Retention {
        /** Whether the engine runs the retention scheduler (one leader across every JVM on the database). */
        private boolean enabled = true;
        /** Time between the end of one retention run and the start of the next. */
        private Duration interval = Duration.ofMinutes(15);
        /** Time from the start to the first retention run. */
        private Duration initialDelay = Duration.ofSeconds(30);
        /** Days samples, histograms and exemplars are kept. */
        private int metricsRetentionDays = 90;
        /** Days order events, fills, positions and finished orders are kept. */
        private int executionRetentionDays = 365;
        /** Days after which chunks are compressed (TSL tier). */
        private int compressionAfterDays = 7;
        /** How long a series with no data left and no writer is kept. */
        private Duration seriesGrace = Duration.ofHours(24);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getInterval() {
            return interval;
        }

        public void setInterval(Duration interval) {
            this.interval = interval;
        }

        public Duration getInitialDelay() {
            return initialDelay;
        }

        public void setInitialDelay(Duration initialDelay) {
            this.initialDelay = initialDelay;
        }

        public int getMetricsRetentionDays() {
            return metricsRetentionDays;
        }

        public void setMetricsRetentionDays(int metricsRetentionDays) {
            this.metricsRetentionDays = metricsRetentionDays;
        }

        public int getExecutionRetentionDays() {
            return executionRetentionDays;
        }

        public void setExecutionRetentionDays(int executionRetentionDays) {
            this.executionRetentionDays = executionRetentionDays;
        }

        public int getCompressionAfterDays() {
            return compressionAfterDays;
        }

        public void setCompressionAfterDays(int compressionAfterDays) {
            this.compressionAfterDays = compressionAfterDays;
        }

        public Duration getSeriesGrace() {
            return seriesGrace;
        }

        public void setSeriesGrace(Duration seriesGrace) {
            this.seriesGrace = seriesGrace;
        }
    }

    /** {@code ag-storage.execution.*}: the {@code ExecutionStore} (with the execution recorder on the class path). */
    public static class Execution {
        /** Whether an ExecutionStore bean is created. */
        private boolean enabled = true;
        /** The store's journal directory; unset: the library's default. */
        private @Nullable Path journalDirectory;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public @Nullable Path getJournalDirectory() {
            return journalDirectory;
        }

        public void setJournalDirectory(@Nullable Path journalDirectory) {
            this.journalDirectory = journalDirectory;
        }
    }

    /**
     * The engine's configuration: these properties over the library's defaults (no {@code AG_STORAGE_*} variables:
     * Spring's own property sources, environment included, already feed these).
     *
     * @param withUrl whether the url, user, password and pool size apply (false on the application's DataSource)
     */
    public StorageConfig toStorageConfig(boolean withUrl) {
        StorageConfig.Builder b = StorageConfig.builder()
                .setSchema(schema)
                .setMigrate(migrate)
                .setBatchSize(buffer.batchSize)
                .setFlushIntervalMs(buffer.flushInterval.toMillis())
                .setMaxBufferSize(buffer.maxSize)
                .setWriteTimeoutMs(buffer.writeTimeout.toMillis())
                .setSpoolDirectory(buffer.spoolDirectory)
                .setMetricsRetentionDays(retention.metricsRetentionDays)
                .setExecutionRetentionDays(retention.executionRetentionDays)
                .setCompressionAfterDays(retention.compressionAfterDays)
                .set("retention.enabled", Boolean.toString(retention.enabled))
                .set("retention.interval_sec", Long.toString(Math.max(1, retention.interval.toSeconds())))
                .set("retention.initial_delay_sec", Long.toString(retention.initialDelay.toSeconds()))
                .set("retention.series_grace_hours", Long.toString(retention.seriesGrace.toHours()));
        settings.forEach(b::set);
        if (withUrl) {
            b.setMaxConnections(maxConnections);
            if (url != null) {
                b.setUrl(url);
            }
            if (user != null) {
                b.setUser(user);
            }
            if (password != null) {
                b.setPassword(password);
            }
        }
        return b.build();
    }

    public @Nullable String getUrl() {
        return url;
    }

    public void setUrl(@Nullable String url) {
        this.url = url;
    }

    public @Nullable String getUser() {
        return user;
    }

    public void setUser(@Nullable String user) {
        this.user = user;
    }

    public @Nullable String getPassword() {
        return password;
    }

    public void setPassword(@Nullable String password) {
        this.password = password;
    }

    public String getSchema() {
        return schema;
    }

    public void setSchema(String schema) {
        this.schema = schema;
    }

    public int getMaxConnections() {
        return maxConnections;
    }

    public void setMaxConnections(int maxConnections) {
        this.maxConnections = maxConnections;
    }

    public boolean isMigrate() {
        return migrate;
    }

    public void setMigrate(boolean migrate) {
        this.migrate = migrate;
    }

    public Buffer getBuffer() {
        return buffer;
    }

    public Retention getRetention() {
        return retention;
    }

    public Execution getExecution() {
        return execution;
    }

    public Map<String, String> getSettings() {
        return settings;
    }
}
