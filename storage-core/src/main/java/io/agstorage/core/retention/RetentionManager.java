package io.agstorage.core.retention;

import io.agstorage.core.StorageConfig;
import io.agstorage.core.StorageEngine;
import io.agstorage.core.StorageException;
import io.agstorage.core.TimescaleTier;
import io.agstorage.core.retention.RetentionReport.RollupRefresh;
import io.agstorage.core.retention.RetentionReport.TableRetention;
import io.agstorage.core.retention.internal.ChunkCompression;
import io.agstorage.core.retention.internal.ChunkRetention;
import io.agstorage.core.retention.internal.RetentionLock;
import io.agstorage.core.retention.internal.RetentionPlan;
import io.agstorage.core.retention.internal.RollupRefresher;
import io.agstorage.core.retention.internal.RowPruning;
import io.agstorage.core.retention.internal.SchemaCatalog;
import io.agstorage.core.retention.internal.TslObjects;
import io.agstorage.core.retention.internal.TslPolicies;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retention, compression and rollups for one {@link StorageEngine}'s schema, doing what the detected tier allows
 * (the table of the {@link io.agstorage.core.retention package} says what each tier gets).
 *
 * <p>What it keeps comes from {@link RetentionContributor}s: storage-core's own ({@code samples} and
 * {@code histograms}, kept for {@code retention.metrics_retention_days}, and the metric rollups) and those of the
 * modules on the class path (found with {@link java.util.ServiceLoader}; the execution recorder's tables are kept
 * for {@code retention.execution_retention_days}). Each table is handled only when it exists in the schema. Regular
 * tables lose only the rows their contributor asks for ({@link RetentionContributor#prunedTables()}: finished orders
 * past the execution retention) and the {@code series} nothing references any more, unused for
 * {@code retention.series_grace_hours}. Chunks older than {@code retention.compression_after_days} of the tables
 * that ask for compression are compressed on the TSL tier.
 *
 * <pre>{@code
 * RetentionManager retention = RetentionManager.create(engine);   // TSL: policies and caggs made to match the config
 * RetentionReport report = retention.runRetention();              // rollups, drop, compress; returns what it did
 * CompressionStatus status = retention.checkCompressionStatus();
 * }</pre>
 *
 * <p>Runs that change data take a session advisory lock per schema, so across every JVM on one database only one
 * runs at a time. Thread-safe.
 */
public final class RetentionManager {

    private static final Logger log = LoggerFactory.getLogger(RetentionManager.class);

    private final DataSource dataSource;
    private final String schema;
    private final String quotedSchema;
    private final TimescaleTier tier;
    private final RetentionPlan plan;
    private final Map<RetentionSetting, Integer> retentionDays;
    private final int compressionAfterDays;
    private final Duration lateDataWindow;
    private final SchemaCatalog catalog;
    private final RetentionLock lock;
    private final ChunkRetention chunks;
    private final RollupRefresher rollups;
    private final RowPruning rows;
    /** Null on the Apache edition. Touched only under {@link #lock}. */
    private final @Nullable TslPolicies tsl;

    private RetentionManager(Builder b, RetentionPlan plan) {
        StorageEngine engine = b.engine;
        this.dataSource = engine.dataSource();
        this.schema = engine.config().schema();
        this.quotedSchema = engine.quotedSchema();
        this.tier = engine.capabilities().tier();
        this.plan = plan;
        this.retentionDays = Collections.unmodifiableMap(new EnumMap<>(b.retentionDays));
        this.compressionAfterDays = b.compressionAfterDays;
        this.lateDataWindow = b.lateDataWindow;
        this.catalog = new SchemaCatalog(dataSource, quotedSchema);
        this.lock = new RetentionLock(
                dataSource,
                schema,
                engine.capabilities().wasm()
                        ? null
                        : engine.config().databaseTimeouts().leaderLease());
        TslObjects objects = tier == TimescaleTier.COMMUNITY ? new TslObjects(dataSource, schema, quotedSchema) : null;
        this.tsl = objects == null ? null : new TslPolicies(objects, catalog, schema);
        this.chunks = new ChunkRetention(dataSource, schema, quotedSchema, catalog, objects);
        this.rollups = new RollupRefresher(dataSource, quotedSchema, catalog, plan.rollups(), objects != null);
        this.rows = new RowPruning(
                dataSource, quotedSchema, catalog, engine.config().retentionSchedule());
    }

    /**
     * A manager with the engine's {@code retention.*} settings, a one-day late-data window and the contributors on
     * the class path; see {@link Builder#build()}.
     */
    public static RetentionManager create(StorageEngine engine) {
        return builder(engine).build();
    }

    public static Builder builder(StorageEngine engine) {
        return new Builder(engine);
    }

    public TimescaleTier tier() {
        return tier;
    }

    /** The days rows of the tables governed by {@code setting} are kept. */
    public int retentionDays(RetentionSetting setting) {
        return retentionDays.get(Objects.requireNonNull(setting, "setting"));
    }

    public int metricsRetentionDays() {
        return retentionDays(RetentionSetting.METRICS);
    }

    public int executionRetentionDays() {
        return retentionDays(RetentionSetting.EXECUTIONS);
    }

    public int compressionAfterDays() {
        return compressionAfterDays;
    }

    public Duration lateDataWindow() {
        return lateDataWindow;
    }

    /** The names of the contributors whose tables this manager keeps, storage-core's ({@code metrics}) first. */
    public List<String> contributors() {
        return plan.contributors().stream().map(RetentionContributor::name).toList();
    }

    String schema() {
        return schema;
    }

    /**
     * Makes the tier's objects match this manager's settings: on the TSL tier enables compression, creates the
     * continuous aggregates that do not exist yet and adds or replaces policies whose interval differs (never a
     * duplicate); on the Apache edition the rollup tables come from the migrations and there is nothing to do.
     * Idempotent; called by {@link Builder#build()}.
     */
    public void install() {
        if (tsl == null) {
            log.info(
                    "Retention on schema {} (Apache edition): drop_chunks of {} ({}), rollups {} kept by "
                            + "ag-storage, compression unavailable",
                    schema,
                    plan.hypertableNames(),
                    RetentionPlan.describe(retentionDays),
                    existingRollups());
            return;
        }
        lock.withLock(true, () -> {
            tsl.install(plan, retentionDays, compressionAfterDays, lateDataWindow);
            return null;
        });
    }

    /** {@link #install()} now, unless another instance holds the lock: then the first run here installs. */
    private void installUnlessRunning() {
        if (tsl == null) {
            install();
        } else {
            lock.withLock(false, () -> {
                tsl.install(plan, retentionDays, compressionAfterDays, lateDataWindow);
                return null;
            });
        }
    }

    /**
     * One maintenance pass, waiting for any other instance's pass to finish first: refreshes the rollups (so data is
     * rolled up before it is dropped), drops chunks past retention, compresses old chunks (TSL tier).
     *
     * @throws StorageException when the database fails; nothing half-done is left (each step is its own transaction)
     */
    public RetentionReport runRetention() {
        return lock.withLock(true, this::runLocked);
    }

    /**
     * Like {@link #runRetention()}, but returns empty at once when another instance holds the lock (it is doing the
     * same work); what {@link RetentionScheduler} calls.
     */
    public Optional<RetentionReport> tryRunRetention() {
        return Optional.ofNullable(lock.withLock(false, this::runLocked));
    }

    private RetentionReport runLocked() throws SQLException {
        long t0 = System.nanoTime();
        Instant now = catalog.now();
        if (tsl != null && !tsl.isInstalled()) {
            tsl.install(plan, retentionDays, compressionAfterDays, lateDataWindow);
        }
        List<RollupRefresh> refreshed =
                tsl != null ? tsl.runRefreshJobs() : rollups.refreshIncrementally(now, lateDataWindow);
        List<TableRetention> tables = new ArrayList<>(chunks.dropOld(
                plan.hypertables(), retentionDays, now, table -> tsl != null ? tsl.retentionJob(table) : null));
        tables.addAll(rows.prune(plan.prunedTables(), retentionDays, now)); // after the chunks that refer to them
        int compressed = tsl != null ? compress(now) : 0;
        RetentionReport report = new RetentionReport(
                now,
                Duration.ofNanos(System.nanoTime() - t0),
                tier,
                tables,
                refreshed,
                compressed,
                tsl != null ? null : ChunkCompression.APACHE_EDITION);
        log.info("Retention run on schema {}: {}", schema, report.summary());
        return report;
    }

    /**
     * Compresses every uncompressed chunk older than {@code retention.compression_after_days} of the tables that
     * ask for compression ({@code samples} and {@code histograms}), one chunk per statement, now (what the
     * compression policy does on its schedule). Returns how many it compressed: 0 when there were none, and always
     * 0 on the Apache edition, which cannot compress ({@link #checkCompressionStatus()} says why).
     */
    public int compressOldData() {
        if (tsl == null) {
            log.debug("compressOldData on schema {}: {}", schema, ChunkCompression.APACHE_EDITION);
            return 0;
        }
        return lock.withLock(true, () -> compress(catalog.now()));
    }

    private int compress(Instant now) throws SQLException {
        return new ChunkCompression(dataSource, schema).compress(compressedTables(), compressionAfterDays, now);
    }

    private List<String> compressedTables() {
        return plan.compressed().stream().map(RetainedTable::name).toList();
    }

    /**
     * Re-aggregates every rollup over {@code [from, to)}, for data back-filled older than the late-data window
     * (which a regular run does not look at again). Returns the rollup rows written (Apache edition), or -1 on the
     * TSL tier where the continuous aggregates' refresh does not report it.
     */
    public long refreshRollups(Instant from, Instant to) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("to must not be before from, was from=" + from + ", to=" + to);
        }
        return lock.withLock(true, () -> rollups.refresh(from, to));
    }

    /** The rollups that exist in this schema (tables on the Apache edition, continuous aggregates on TSL). */
    public List<String> existingRollups() {
        try {
            return rollups.existing();
        } catch (SQLException e) {
            throw new StorageException("listing rollups of schema " + schema + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Rows and bytes of every contributed table and rollup that exists in the schema (counts rows: a full scan, for
     * monitoring, not hot paths).
     */
    public StorageStats getStorageStats() {
        try {
            return StorageStatsReader.read(dataSource, schema, quotedSchema, plan.relations());
        } catch (SQLException e) {
            throw new StorageException("reading storage stats of schema " + schema + " failed: " + e.getMessage(), e);
        }
    }

    /** Native compression now, as TimescaleDB measures it; on the Apache edition, unavailable and why. */
    public CompressionStatus checkCompressionStatus() {
        if (tsl == null) {
            return CompressionStatus.unavailable(ChunkCompression.APACHE_EDITION);
        }
        try {
            return StorageStatsReader.compression(dataSource, schema, quotedSchema, compressedTables());
        } catch (SQLException e) {
            throw new StorageException(
                    "reading compression stats of schema " + schema + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "RetentionManager[schema=" + schema + ", tier=" + tier + ", " + RetentionPlan.describe(retentionDays)
                + ", compression_after_days=" + compressionAfterDays + ", late_data_window=" + lateDataWindow
                + ", contributors=" + contributors() + "]";
    }

    /**
     * Settings of a {@link RetentionManager}: the days default to the engine's {@code retention.*}, the contributors
     * to storage-core's and those found by {@link java.util.ServiceLoader}.
     */
    public static final class Builder {
        private final StorageEngine engine;
        private final Map<RetentionSetting, Integer> retentionDays = new EnumMap<>(RetentionSetting.class);
        private final List<RetentionContributor> contributors = new ArrayList<>();
        private int compressionAfterDays;
        private Duration lateDataWindow = Duration.ofDays(1);

        private Builder(StorageEngine engine) {
            this.engine = Objects.requireNonNull(engine, "engine");
            StorageConfig config = engine.config();
            for (RetentionSetting setting : RetentionSetting.values()) {
                retentionDays.put(setting, setting.days(config));
            }
            this.compressionAfterDays = config.compressionAfterDays();
        }

        /** {@code retention.metrics_retention_days}: samples and histograms older than this are dropped. */
        public Builder setMetricsRetentionDays(int days) {
            return setRetentionDays(RetentionSetting.METRICS, days);
        }

        /** {@code retention.execution_retention_days}: the execution recorder's hypertables older than this. */
        public Builder setExecutionRetentionDays(int days) {
            return setRetentionDays(RetentionSetting.EXECUTIONS, days);
        }

        /** Overrides the engine's value of {@code setting} for this manager: between 1 and 36500 days. */
        public Builder setRetentionDays(RetentionSetting setting, int days) {
            Objects.requireNonNull(setting, "setting");
            retentionDays.put(setting, positive(setting.key(), days));
            return this;
        }

        /** {@code retention.compression_after_days}: chunks older than this are compressed (TSL tier). */
        public Builder setCompressionAfterDays(int days) {
            this.compressionAfterDays = positive("retention.compression_after_days", days);
            return this;
        }

        /**
         * How far back each run re-aggregates rollups for late data (default 1 day): samples arriving with a time
         * older than this after their bucket was rolled up reach the rollups only through
         * {@link RetentionManager#refreshRollups(Instant, Instant)}. Between 1 minute and the metrics retention.
         */
        public Builder setLateDataWindow(Duration window) {
            Objects.requireNonNull(window, "lateDataWindow");
            if (window.compareTo(Duration.ofMinutes(1)) < 0) {
                throw new IllegalArgumentException(
                        "retention.late_data_window must be at least 1 minute, was " + window);
            }
            this.lateDataWindow = window;
            return this;
        }

        /**
         * Adds a contributor besides those found by {@link java.util.ServiceLoader} (one of the same class counts
         * once), e.g. where a shaded jar lost the service files.
         */
        public Builder addContributor(RetentionContributor contributor) {
            contributors.add(Objects.requireNonNull(contributor, "contributor"));
            return this;
        }

        private static int positive(String key, int days) {
            if (days < 1 || days > 36_500) {
                throw new IllegalArgumentException(key + " must be between 1 and 36500, was " + days);
            }
            return days;
        }

        /**
         * Builds the manager and {@link RetentionManager#install() installs} the tier's objects, unless another
         * instance is running retention on the schema at that moment (then its first run installs them: a build never
         * waits).
         *
         * @throws IllegalArgumentException when the late-data window is not shorter than the metrics retention (the
         *     rollups would be re-aggregated from data already dropped), or two contributors name one relation
         * @throws StorageException when the database fails
         */
        public RetentionManager build() {
            int metricsDays = retentionDays.get(RetentionSetting.METRICS);
            if (lateDataWindow.compareTo(Duration.ofDays(metricsDays)) >= 0) {
                throw new IllegalArgumentException(
                        "retention.late_data_window must be shorter than retention.metrics_retention_days ("
                                + metricsDays + " days), was " + lateDataWindow);
            }
            if (engine.isClosed()) {
                throw new IllegalStateException("StorageEngine is closed");
            }
            RetentionManager manager = new RetentionManager(this, RetentionPlan.load(contributors));
            manager.installUnlessRunning();
            return manager;
        }
    }
}
