package io.agstorage.core.retention;

import io.agstorage.core.Sql;
import io.agstorage.core.StorageConfig;
import io.agstorage.core.StorageEngine;
import io.agstorage.core.StorageException;
import io.agstorage.core.TimescaleTier;
import io.agstorage.core.retention.RetentionReport.RollupRefresh;
import io.agstorage.core.retention.RetentionReport.TableRetention;
import io.agstorage.core.retention.internal.ApacheRollups;
import io.agstorage.core.retention.internal.RollupDefinition;
import io.agstorage.core.retention.internal.TslObjects;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retention, compression and rollups for one {@link StorageEngine}'s schema, doing what the detected tier allows:
 *
 * <table>
 *   <caption>per tier</caption>
 *   <tr><th></th><th>TSL (Community)</th><th>Apache edition</th></tr>
 *   <tr><td>retention</td><td>native retention policies</td><td>{@code drop_chunks}, run by {@link #runRetention()}</td></tr>
 *   <tr><td>compression</td><td>native, segment by {@code series_id}, newest first; compression policies</td>
 *       <td>unavailable: reported, never faked</td></tr>
 *   <tr><td>rollups</td><td>continuous aggregates (real-time) with refresh policies</td>
 *       <td>regular tables of the same name, refreshed incrementally from a watermark</td></tr>
 * </table>
 *
 * <p>Data older than {@code retention.metrics_retention_days} is dropped from {@code samples} and {@code histograms},
 * older than {@code retention.execution_retention_days} from {@code order_events}, {@code fills} and
 * {@code positions} (when those tables exist); the regular {@code orders} table is never touched. Chunks older
 * than {@code retention.compression_after_days} are compressed on the TSL tier.
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

    /** 'AGRT': the advisory lock class of ag-storage's retention runs; the schema picks the object id. */
    static final int LOCK_CLASS = 0x41475254;

    static final List<String> METRIC_TABLES = List.of("samples", "histograms");
    static final List<String> EXECUTION_TABLES = List.of("order_events", "fills", "positions");
    static final String APACHE_COMPRESSION =
            "native compression needs TimescaleDB's Timescale License (TSL) edition; this "
                    + "server runs the Apache 2 edition (timescaledb.license = apache), which has no compress_chunk, compression "
                    + "policies or columnar storage. Data stays uncompressed; retention and rollups still run.";

    private final StorageEngine engine;
    private final DataSource dataSource;
    private final String schema;
    private final String quotedSchema;
    private final TimescaleTier tier;
    private final int metricsRetentionDays;
    private final int executionRetentionDays;
    private final int compressionAfterDays;
    private final Duration lateDataWindow;
    private final @Nullable TslObjects tsl;
    /** Job ids by relation; touched only under {@link #local}. */
    private final Map<String, Integer> refreshJobs = new LinkedHashMap<>();

    private final Map<String, Integer> retentionJobs = new LinkedHashMap<>();
    /** Serializes runs inside this JVM; the advisory lock does it across JVMs (and is shared by all on WASM). */
    private final ReentrantLock local = new ReentrantLock();

    private RetentionManager(Builder b) {
        this.engine = b.engine;
        this.dataSource = engine.dataSource();
        this.schema = engine.config().schema();
        this.quotedSchema = engine.quotedSchema();
        this.tier = engine.capabilities().tier();
        this.metricsRetentionDays = b.metricsRetentionDays;
        this.executionRetentionDays = b.executionRetentionDays;
        this.compressionAfterDays = b.compressionAfterDays;
        this.lateDataWindow = b.lateDataWindow;
        this.tsl = tier == TimescaleTier.COMMUNITY ? new TslObjects(dataSource, schema, quotedSchema) : null;
    }

    /** A manager with the engine's {@code retention.*} settings and a one-day late-data window; see {@link Builder#build()}. */
    public static RetentionManager create(StorageEngine engine) {
        return builder(engine).build();
    }

    public static Builder builder(StorageEngine engine) {
        return new Builder(engine);
    }

    public TimescaleTier tier() {
        return tier;
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

    public Duration lateDataWindow() {
        return lateDataWindow;
    }

    String schema() {
        return schema;
    }

    DataSource dataSource() {
        return dataSource;
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
                    "Retention on schema {} (Apache edition): drop_chunks after {} days (metrics) / {} days (executions), "
                            + "rollups {} kept by ag-storage, compression unavailable",
                    schema,
                    metricsRetentionDays,
                    executionRetentionDays,
                    existingRollups());
            return;
        }
        withLock(true, () -> {
            installTsl(tsl);
            return null;
        });
    }

    private void installTsl(TslObjects tsl) throws SQLException {
        for (String table : METRIC_TABLES) {
            tsl.enableCompression(table, "series_id", "time");
            tsl.ensureCompressionPolicy(table, compressionAfterDays);
            retentionJobs.put(table, tsl.ensureRetentionPolicy(table, metricsRetentionDays));
        }
        for (String table : existing(EXECUTION_TABLES)) {
            retentionJobs.put(table, tsl.ensureRetentionPolicy(table, executionRetentionDays));
        }
        for (RollupDefinition rollup : RollupDefinition.ALL) {
            if (existing(rollup.requires()).size() == rollup.requires().size()) {
                refreshJobs.put(rollup.name(), tsl.ensureContinuousAggregate(rollup, lateDataWindow));
            }
        }
        log.info(
                "Retention on schema {} (TSL): retention policies {} (metrics {} days, executions {} days), compression after {} "
                        + "days, continuous aggregates {}",
                schema,
                retentionJobs,
                metricsRetentionDays,
                executionRetentionDays,
                compressionAfterDays,
                refreshJobs);
    }

    /**
     * One maintenance pass, waiting for any other instance's pass to finish first: refreshes the rollups (so data is
     * rolled up before it is dropped), drops chunks past retention, compresses old chunks (TSL tier).
     *
     * @throws StorageException when the database fails; nothing half-done is left (each step is its own transaction)
     */
    public RetentionReport runRetention() {
        return withLock(true, this::runLocked);
    }

    /**
     * Like {@link #runRetention()}, but returns empty at once when another instance holds the lock (it is doing the
     * same work); what {@link RetentionScheduler} calls.
     */
    public Optional<RetentionReport> tryRunRetention() {
        return Optional.ofNullable(withLock(false, this::runLocked));
    }

    private RetentionReport runLocked() throws SQLException {
        long t0 = System.nanoTime();
        Instant now = databaseNow();
        if (tsl != null && refreshJobs.isEmpty()) {
            installTsl(tsl);
        }
        List<RollupRefresh> rollups = refreshRollups(now);
        List<TableRetention> tables = new ArrayList<>();
        for (String table : METRIC_TABLES) {
            tables.add(dropOld(table, metricsRetentionDays, now));
        }
        for (String table : existing(EXECUTION_TABLES)) {
            tables.add(dropOld(table, executionRetentionDays, now));
        }
        int compressed = tsl != null ? compress(now) : 0;
        RetentionReport report = new RetentionReport(
                now,
                Duration.ofNanos(System.nanoTime() - t0),
                tier,
                tables,
                rollups,
                compressed,
                tsl != null ? null : APACHE_COMPRESSION);
        log.info("Retention run on schema {}: {}", schema, report.summary());
        return report;
    }

    private List<RollupRefresh> refreshRollups(Instant now) throws SQLException {
        List<RollupRefresh> result = new ArrayList<>();
        if (tsl != null) {
            for (Map.Entry<String, Integer> job : refreshJobs.entrySet()) {
                long t0 = System.nanoTime();
                tsl.runJob(job.getValue());
                result.add(new RollupRefresh(
                        job.getKey(),
                        "refresh policy",
                        OptionalLong.empty(),
                        Duration.ofNanos(System.nanoTime() - t0)));
            }
            return result;
        }
        for (RollupDefinition rollup : RollupDefinition.ALL) {
            if (exists(rollup.name())) {
                long t0 = System.nanoTime();
                ApacheRollups.Refresh refresh =
                        new ApacheRollups(dataSource, quotedSchema, rollup).refresh(now, lateDataWindow);
                result.add(new RollupRefresh(
                        rollup.name(),
                        "incremental",
                        OptionalLong.of(refresh.rowsWritten()),
                        Duration.ofNanos(System.nanoTime() - t0)));
            }
        }
        return result;
    }

    private TableRetention dropOld(String table, int days, Instant now) throws SQLException {
        long t0 = System.nanoTime();
        Instant cutoff = now.minus(Duration.ofDays(days));
        String qualified = quotedSchema + "." + Sql.quoteIdentifier(table);
        try (Connection c = dataSource.getConnection()) {
            Chunks before = oldChunks(c, table, cutoff);
            if (before.count() == 0) {
                return new TableRetention(table, days, 0, 0, Duration.ofNanos(System.nanoTime() - t0));
            }
            String timeColumn = Sql.quoteIdentifier(timeColumn(c, table));
            String countSql = "SELECT count(*) FROM " + qualified + " WHERE " + timeColumn + " < ?";
            long rowsBefore = count(c, countSql, before.boundary());
            if (tsl != null) {
                Integer job = retentionJobs.get(table);
                if (job == null) {
                    throw new IllegalStateException(
                            "no retention policy on " + schema + "." + table + "; call install() first");
                }
                tsl.runJob(job);
            } else {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT count(*) FROM drop_chunks(?::regclass, older_than => ?::timestamptz)")) {
                    ps.setString(1, qualified);
                    ps.setObject(2, utc(cutoff));
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                    }
                }
            }
            Chunks after = oldChunks(c, table, before.boundary());
            long rowsAfter = after.count() == 0 ? 0 : count(c, countSql, before.boundary());
            return new TableRetention(
                    table,
                    days,
                    before.count() - after.count(),
                    rowsBefore - rowsAfter,
                    Duration.ofNanos(System.nanoTime() - t0));
        }
    }

    private record Chunks(int count, Instant boundary) {}

    private Chunks oldChunks(Connection c, String table, Instant cutoff) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT count(*), max(range_end) FROM timescaledb_information.chunks "
                        + "WHERE hypertable_schema = ? AND hypertable_name = ? AND range_end <= ?")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            ps.setObject(3, utc(cutoff));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                int n = rs.getInt(1);
                OffsetDateTime end = rs.getObject(2, OffsetDateTime.class);
                return new Chunks(n, end == null ? cutoff : end.toInstant());
            }
        }
    }

    private String timeColumn(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT column_name FROM timescaledb_information.dimensions "
                + "WHERE hypertable_schema = ? AND hypertable_name = ? ORDER BY dimension_number LIMIT 1")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException(schema + "." + table + " is not a hypertable");
                }
                return rs.getString(1);
            }
        }
    }

    private static long count(Connection c, String sql, Instant before) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, utc(before));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * Compresses every uncompressed chunk of {@code samples} and {@code histograms} older than
     * {@code retention.compression_after_days}, one chunk per statement, now (what the compression policy does on
     * its schedule). Returns how many it compressed: 0 when there were none, and always 0 on the Apache edition,
     * which cannot compress ({@link #checkCompressionStatus()} says why).
     */
    public int compressOldData() {
        if (tsl == null) {
            log.debug("compressOldData on schema {}: {}", schema, APACHE_COMPRESSION);
            return 0;
        }
        return withLock(true, () -> compress(databaseNow()));
    }

    private int compress(Instant now) throws SQLException {
        Instant cutoff = now.minus(Duration.ofDays(compressionAfterDays));
        List<String> chunks = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT format('%I.%I', chunk_schema, chunk_name) FROM timescaledb_information.chunks WHERE hypertable_schema = ? "
                                + "AND hypertable_name = ANY (?) AND NOT is_compressed AND range_end <= ? ORDER BY range_start")) {
            ps.setString(1, schema);
            ps.setArray(2, c.createArrayOf("text", METRIC_TABLES.toArray()));
            ps.setObject(3, utc(cutoff));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    chunks.add(rs.getString(1));
                }
            }
            for (String chunk : chunks) {
                try (PreparedStatement compress =
                        c.prepareStatement("SELECT compress_chunk(?::regclass, if_not_compressed => true)")) {
                    compress.setString(1, chunk);
                    compress.execute();
                }
            }
        }
        if (!chunks.isEmpty()) {
            log.info(
                    "Compressed {} chunks of schema {} older than {} days",
                    chunks.size(),
                    schema,
                    compressionAfterDays);
        }
        return chunks.size();
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
        return withLock(true, () -> {
            long written = 0;
            for (RollupDefinition rollup : RollupDefinition.ALL) {
                if (!exists(rollup.name())) {
                    continue;
                }
                if (tsl != null) {
                    try (Connection c = dataSource.getConnection();
                            PreparedStatement ps = c.prepareStatement(
                                    "CALL refresh_continuous_aggregate(?::regclass, ?::timestamptz, ?::timestamptz)")) {
                        ps.setString(1, quotedSchema + "." + rollup.name());
                        ps.setObject(2, utc(from));
                        ps.setObject(3, utc(to));
                        ps.execute();
                    }
                    written = -1;
                } else {
                    written += new ApacheRollups(dataSource, quotedSchema, rollup).refresh(from, to);
                }
            }
            return written;
        });
    }

    /** The rollups that exist in this schema (tables on the Apache edition, continuous aggregates on TSL). */
    public List<String> existingRollups() {
        try {
            return existing(
                    RollupDefinition.ALL.stream().map(RollupDefinition::name).toList());
        } catch (SQLException e) {
            throw new StorageException("listing rollups of schema " + schema + " failed: " + e.getMessage(), e);
        }
    }

    /** Rows and bytes of every ag-storage table in the schema (counts rows: a full scan, for monitoring, not hot paths). */
    public StorageStats getStorageStats() {
        try {
            return StorageStatsReader.read(dataSource, schema, quotedSchema);
        } catch (SQLException e) {
            throw new StorageException("reading storage stats of schema " + schema + " failed: " + e.getMessage(), e);
        }
    }

    /** Native compression now, as TimescaleDB measures it; on the Apache edition, unavailable and why. */
    public CompressionStatus checkCompressionStatus() {
        if (tsl == null) {
            return CompressionStatus.unavailable(APACHE_COMPRESSION);
        }
        try {
            return StorageStatsReader.compression(dataSource, schema, quotedSchema, METRIC_TABLES);
        } catch (SQLException e) {
            throw new StorageException(
                    "reading compression stats of schema " + schema + " failed: " + e.getMessage(), e);
        }
    }

    private List<String> existing(List<String> tables) throws SQLException {
        List<String> result = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            for (String table : tables) {
                ps.setString(1, quotedSchema + "." + Sql.quoteIdentifier(table));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        result.add(table);
                    }
                }
            }
        }
        return result;
    }

    private boolean exists(String table) throws SQLException {
        return !existing(List.of(table)).isEmpty();
    }

    private Instant databaseNow() throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT now()");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getObject(1, OffsetDateTime.class).toInstant();
        }
    }

    @FunctionalInterface
    interface Work<T> {
        T run() throws SQLException;
    }

    /**
     * Runs {@code work} holding this schema's retention lock, taken on a dedicated connection held for the whole
     * run: waiting for it when {@code wait}, else returning null when another session holds it.
     */
    <T> @Nullable T withLock(boolean wait, Work<T> work) {
        if (wait) {
            local.lock();
        } else if (!local.tryLock()) {
            return null;
        }
        try {
            return withAdvisoryLock(wait, work);
        } finally {
            local.unlock();
        }
    }

    private <T> @Nullable T withAdvisoryLock(boolean wait, Work<T> work) {
        try (Connection lock = dataSource.getConnection()) {
            lock.setAutoCommit(true);
            try (PreparedStatement ps = lock.prepareStatement(
                    wait ? "SELECT pg_advisory_lock(?, ?), true" : "SELECT true, pg_try_advisory_lock(?, ?)")) {
                ps.setInt(1, LOCK_CLASS);
                ps.setInt(2, schema.hashCode());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(2)) {
                        log.debug("Retention on schema {}: another instance holds the lock; skipping", schema);
                        return null;
                    }
                }
            }
            try {
                return work.run();
            } finally {
                try (PreparedStatement ps = lock.prepareStatement("SELECT pg_advisory_unlock(?, ?)")) {
                    ps.setInt(1, LOCK_CLASS);
                    ps.setInt(2, schema.hashCode());
                    ps.execute();
                } catch (SQLException e) {
                    log.warn(
                            "Releasing the retention lock of schema {} failed ({}); it is released when the connection closes",
                            schema,
                            e.getMessage());
                    lock.abort(Runnable::run);
                }
            }
        } catch (SQLException e) {
            throw new StorageException("retention on schema " + schema + " failed: " + e.getMessage(), e);
        }
    }

    private static OffsetDateTime utc(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }

    @Override
    public String toString() {
        return "RetentionManager[schema=" + schema + ", tier=" + tier + ", metrics_retention_days="
                + metricsRetentionDays
                + ", execution_retention_days=" + executionRetentionDays + ", compression_after_days="
                + compressionAfterDays
                + ", late_data_window=" + lateDataWindow + "]";
    }

    /** Settings of a {@link RetentionManager}; the retention days default to the engine's {@code retention.*}. */
    public static final class Builder {
        private final StorageEngine engine;
        private int metricsRetentionDays;
        private int executionRetentionDays;
        private int compressionAfterDays;
        private Duration lateDataWindow = Duration.ofDays(1);

        private Builder(StorageEngine engine) {
            this.engine = Objects.requireNonNull(engine, "engine");
            StorageConfig config = engine.config();
            this.metricsRetentionDays = config.metricsRetentionDays();
            this.executionRetentionDays = config.executionRetentionDays();
            this.compressionAfterDays = config.compressionAfterDays();
        }

        /** {@code retention.metrics_retention_days}: samples and histograms older than this are dropped. */
        public Builder setMetricsRetentionDays(int days) {
            this.metricsRetentionDays = positive("retention.metrics_retention_days", days);
            return this;
        }

        /** {@code retention.execution_retention_days}: order events, fills and positions older than this are dropped. */
        public Builder setExecutionRetentionDays(int days) {
            this.executionRetentionDays = positive("retention.execution_retention_days", days);
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

        private static int positive(String key, int days) {
            if (days < 1 || days > 36_500) {
                throw new IllegalArgumentException(key + " must be between 1 and 36500, was " + days);
            }
            return days;
        }

        /**
         * Builds the manager and {@link RetentionManager#install() installs} the tier's objects.
         *
         * @throws IllegalArgumentException when the late-data window is not shorter than the metrics retention (the
         *     rollups would be re-aggregated from data already dropped)
         * @throws StorageException when the database fails
         */
        public RetentionManager build() {
            if (lateDataWindow.compareTo(Duration.ofDays(metricsRetentionDays)) >= 0) {
                throw new IllegalArgumentException(
                        "retention.late_data_window must be shorter than retention.metrics_retention_days ("
                                + metricsRetentionDays + " days), was " + lateDataWindow);
            }
            if (engine.isClosed()) {
                throw new IllegalStateException("StorageEngine is closed");
            }
            RetentionManager manager = new RetentionManager(this);
            manager.install();
            return manager;
        }
    }
}
