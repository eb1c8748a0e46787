package io.agstorage.core;

import com.zaxxer.hikari.HikariDataSource;
import io.agstorage.core.internal.ConnectionPool;
import io.agstorage.core.internal.PointRules;
import io.agstorage.core.internal.SeriesRegistry;
import io.agstorage.core.internal.SpoolTarget;
import io.agstorage.core.retention.RetentionScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Stores metrics in TimescaleDB: validates them, buffers them in one Disruptor ring, and has one writer
 * thread move them to the {@code samples} and {@code histograms} hypertables in batches (binary COPY by
 * default); synchronous batches ({@link #insertMetricsBatch}) are written on the caller's thread instead.
 * Reads them back raw or aggregated into time buckets.
 *
 * <pre>{@code
 * try (StorageEngine engine = StorageEngine.create(StorageConfig.fromYamlFile(Path.of("config.yaml")))) {
 *     engine.insertMetric(MetricPoint.of("fill_latency_ms", 3.2).withLabel("venue", "polymarket"));
 *     MetricSeries pnl = engine.series("pnl_usd", Map.of("strategy", "mm"));
 *     pnl.record(12.5);                                    // hot path: no allocation, never blocks
 * }
 * }</pre>
 *
 * Thread-safe. {@link #close()} flushes what is buffered and stops; it is idempotent and bounded by
 * {@code ingestion.write_timeout_ms}.
 */
public final class StorageEngine implements AutoCloseable {

    private final StorageConfig config;
    private final DataSource dataSource;
    private final @Nullable HikariDataSource ownedPool;
    private final @Nullable HikariDataSource readPool;
    private final Capabilities capabilities;
    private final String quotedSchema;
    private final SeriesRegistry registry;
    private final Ingestion ingestion;
    private final PointInserts inserts;
    private final EngineQueries queries;
    private final SpoolTarget spoolTarget;
    private final @Nullable EngineSpool spool;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile @Nullable RetentionScheduler retention;

    private StorageEngine(
            StorageConfig config,
            DataSource dataSource,
            @Nullable HikariDataSource ownedPool,
            @Nullable HikariDataSource readPool) {
        this.config = config;
        this.dataSource = dataSource;
        this.ownedPool = ownedPool;
        this.readPool = readPool;
        this.quotedSchema = Sql.quoteIdentifier(config.schema());
        this.capabilities = EngineStartup.start(config, dataSource, ownedPool);
        this.registry = EngineStartup.seriesRegistry(config, dataSource, quotedSchema);
        this.ingestion = new Ingestion(config, dataSource, quotedSchema, capabilities);
        this.inserts = new PointInserts(config, registry, ingestion);
        this.queries = new EngineQueries(config, readPool != null ? readPool : dataSource, quotedSchema);
        this.spoolTarget = new EngineSpoolTarget(this, ingestion, registry);
        try {
            this.spool = config.spoolDirectory() == null
                    ? null
                    : EngineSpool.open(ingestion, spoolTarget, config.spoolDirectory(), config.schema());
        } catch (RuntimeException e) {
            ingestion.stop();
            throw e;
        }
        if (spool != null) {
            ingestion.attach(spool);
            spool.start();
        }
    }

    /**
     * Starts an engine with its own connection pool (HikariCP, {@code database.max_connections}): detects the
     * server's capabilities, applies pending migrations (unless {@code database.migrate} is false), starts the writer
     * and, unless {@code retention.enabled} is false, the retention scheduler ({@link RetentionSchedule}). With
     * {@code database.read_url} ({@link ReadReplica}) a second, read-only pool serves the queries.
     *
     * @throws StorageException when the database (or the read replica) is unreachable or lacks TimescaleDB
     */
    public static StorageEngine create(StorageConfig config) {
        Objects.requireNonNull(config, "config");
        HikariDataSource pool = ConnectionPool.create(config);
        HikariDataSource readPool = null;
        try {
            readPool = config.readReplica().isConfigured() ? ConnectionPool.createForReads(config) : null;
            return new StorageEngine(config, pool, pool, readPool).startRetention();
        } catch (RuntimeException e) {
            pool.close();
            if (readPool != null) {
                readPool.close();
            }
            throw e;
        }
    }

    /**
     * Starts an engine on the caller's {@link DataSource}, which the engine uses but never closes; as
     * {@link #create(StorageConfig)} otherwise.
     */
    public static StorageEngine create(StorageConfig config, DataSource dataSource) {
        return new StorageEngine(
                        Objects.requireNonNull(config, "config"),
                        Objects.requireNonNull(dataSource, "dataSource"),
                        null,
                        null)
                .startRetention();
    }

    private StorageEngine startRetention() {
        try {
            retention = EngineRetention.start(this);
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * The retention scheduler this engine runs ({@code retention.*}), or null when {@code retention.enabled} is
     * false. It stops when the engine closes.
     */
    public @Nullable RetentionScheduler retentionScheduler() {
        return retention;
    }

    /** Creates the TimescaleDB extension if needed and applies pending migrations; a no-op when up to date. */
    public void initSchemas() {
        EngineStartup.migrate(config, dataSource, capabilities);
    }

    /**
     * The hot-path handle of a gauge series; the same name and labels always give a handle on the same series.
     *
     * @throws IllegalArgumentException when the name or a label breaks a rule (see {@link #insertMetric})
     * @throws SeriesLimitException when the series is new and would break a {@link SeriesLimits limit}
     */
    public MetricSeries series(String name, Map<String, String> labels) {
        return series(name, labels, MetricType.GAUGE, null, null);
    }

    /**
     * The hot-path handle of a series with a type, unit and temporality; the first registration of a series
     * in this JVM decides those.
     *
     * @throws SeriesLimitException when the series is new and would break a {@link SeriesLimits limit}
     */
    public MetricSeries series(
            String name,
            Map<String, String> labels,
            MetricType type,
            @Nullable String unit,
            @Nullable String temporality) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(labels, "labels");
        labels.forEach((k, v) -> {
            Objects.requireNonNull(k, "label key must not be null");
            Objects.requireNonNull(v, () -> "label value must not be null (label key '" + k + "')");
        });
        String error = PointRules.checkName(name);
        if (error == null) {
            error = PointRules.checkLabels(labels);
        }
        if (error != null) {
            throw new IllegalArgumentException(error);
        }
        return ingestion.handle(registry.intern(name, labels, type, unit, temporality));
    }

    /**
     * Writes one point and returns once it is committed.
     *
     * <p>Rules, each refused with an {@link IllegalArgumentException} naming the field, rule and value: the
     * name is 1 to 1,024 characters without NUL; at most 128 labels, keys 1 to 256 characters, values at most
     * 4,096; the value is finite; the time is within 1970-01-01 .. 9999-12-31. Names and labels are stored
     * verbatim, whatever characters they hold: they are always bound as values, never spliced into SQL.
     *
     * @throws StorageException when the commit is not confirmed within {@code ingestion.write_timeout_ms}
     */
    public void insertMetric(MetricPoint point) {
        insertMetricsBatch(List.of(Objects.requireNonNull(point, "point")));
    }

    /**
     * Writes the points and returns once they are committed. Invalid points are not written; every valid
     * one is, and then a {@link RejectedPointsException} lists the invalid ones.
     *
     * <p>On PostgreSQL the points go straight from this thread into one binary COPY on a pooled connection of
     * its own, streamed while the rest are validated, and one commit: all valid points or none. A transient
     * database failure is retried until {@code ingestion.write_timeout_ms}; a {@link StorageException} says
     * "none was written", and then the call can be retried without doubling a point, except in the rare case
     * it says the connection failed after the commit was sent. (On the WASM tier, which serves every connection
     * from one session, they go through the writer thread instead.)
     *
     * @throws StorageException when the database refused the points, or they could not be committed within
     *     {@code ingestion.write_timeout_ms} (plus, at most, the pool's connection timeout)
     */
    public void insertMetricsBatch(List<MetricPoint> points) {
        Objects.requireNonNull(points, "points");
        checkOpen();
        inserts.insert(points);
    }

    /**
     * Buffers one point for the writer and returns at once, without waiting for the database.
     *
     * @return false when the buffer is full: the point is dropped and counted ({@link IngestionStats#droppedFull()})
     * @throws IllegalArgumentException when the point breaks a rule of {@link #insertMetric}
     */
    public boolean bufferMetric(MetricPoint point) {
        Objects.requireNonNull(point, "point");
        checkOpen();
        return inserts.buffer(point);
    }

    /**
     * Writes everything buffered so far and waits for the commit.
     *
     * @return how many samples and histograms were committed between this call and its return (those buffered
     *     before it, and any that other threads added meanwhile)
     */
    public long flushBuffer() {
        checkOpen();
        return ingestion.flush();
    }

    /** A future completing once everything buffered before this call is committed (or failing if it was dropped). */
    public CompletableFuture<Long> flushAsync() {
        checkOpen();
        return ingestion.flushAsync();
    }

    /**
     * Submits a batch, waiting up to {@code ingestion.write_timeout_ms} for room in the buffer; the future
     * completes when every entry is committed. The batch may be reused as soon as this returns.
     */
    public CompletableFuture<Long> submit(SampleBatch batch) {
        Objects.requireNonNull(batch, "batch");
        checkOpen();
        return ingestion.publish(batch);
    }

    /**
     * Submits a batch only if the buffer has room for all of it now; never waits. Returns null when it has
     * not (nothing was submitted: the caller can tell its client to retry later).
     */
    public @Nullable CompletableFuture<Long> trySubmit(SampleBatch batch) {
        Objects.requireNonNull(batch, "batch");
        checkOpen();
        return ingestion.tryPublish(batch);
    }

    /**
     * What a spool ({@link io.agstorage.core.spool.SampleSpool}) needs of this engine beyond its public API. Internal
     * to ag-storage: not API, may change in any release.
     */
    public SpoolTarget spoolTarget() {
        return spoolTarget;
    }

    /**
     * The samples of every series of {@code name} carrying all of {@code labels} (null: any labels), with
     * {@code start <= time < end}, oldest first.
     *
     * @throws QueryLimitExceededException when more than {@code query.max_results} rows match: results are
     *     never silently truncated; narrow the range or the labels
     * @throws IllegalArgumentException when {@code end} is before {@code start}
     */
    public List<MetricRow> queryMetrics(String name, Instant start, Instant end, @Nullable Map<String, String> labels) {
        return queries.raw(name, start, end, labels);
    }

    /**
     * {@link #queryAggregated(String, Instant, Instant, Duration, Aggregation, Map)} over every series of {@code name}.
     */
    public AggregationResult queryAggregated(
            String name, Instant start, Instant end, Duration bucket, Aggregation agg) {
        return queryAggregated(name, start, end, bucket, agg, null);
    }

    /**
     * The values of every series of {@code name} carrying all of {@code labels} (null: any), in
     * {@code [start, end)}, grouped into buckets of {@code bucket} (aligned as TimescaleDB's {@code time_bucket}
     * aligns them) and folded with {@code agg}. Empty buckets are absent.
     *
     * <p>Answered from a rollup ({@code metrics_daily}, {@code metrics_hourly}) instead of the raw samples when that
     * gives the same buckets: {@code agg} is AVG, MIN, MAX, SUM, COUNT, FIRST or LAST, {@code bucket} is a multiple of
     * the rollup's grain, {@code start} and {@code end} fall on its bucket boundaries and the rollup covers the range
     * (see {@code io.agstorage.core.retention.RetentionManager}). {@link AggregationResult#source()} names the relation
     * that answered. AVG and SUM from a rollup add partial sums, so they may differ from the raw answer in the last
     * bits of a double.
     *
     * @throws IllegalArgumentException when {@code end} is before {@code start} or {@code bucket} is not positive
     * @throws QueryLimitExceededException when more than {@code query.max_results} buckets would be returned
     */
    public AggregationResult queryAggregated(
            String name,
            Instant start,
            Instant end,
            Duration bucket,
            Aggregation agg,
            @Nullable Map<String, String> labels) {
        return queries.aggregated(name, start, end, bucket, agg, labels);
    }

    /** The connection pool's current state (all zero except max when the engine runs on a caller's DataSource). */
    public PoolStatus poolStatus() {
        return PoolStatus.of(ownedPool, config.maxConnections());
    }

    /** The series counts and limit refusals now ({@link SeriesLimits}). */
    public SeriesStats seriesStats() {
        return SeriesStats.of(registry);
    }

    /** The pipeline's counters now. */
    public IngestionStats ingestionStats() {
        return ingestion.stats();
    }

    public Capabilities capabilities() {
        return capabilities;
    }

    public StorageConfig config() {
        return config;
    }
    /** The pool the engine writes through; for the other ag-storage modules and for plain SQL. */
    public DataSource dataSource() {
        return dataSource;
    }
    /** The schema name, validated and double-quoted, ready to prefix a table name in SQL. */
    public String quotedSchema() {
        return quotedSchema;
    }

    public boolean isClosed() {
        return closed.get();
    }

    void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("StorageEngine is closed");
        }
    }

    /**
     * Stops the engine's retention scheduler (a run in progress gets at most 5 s to end its database call), flushes
     * what is buffered, waiting at most {@code ingestion.write_timeout_ms}, then stops the writer and
     * closes the pool it owns, in at most about a second more. Anything still unwritten after that wait is dropped
     * and logged. {@link MetricSeries#record} refuses (and counts) from the start of the close on. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        RetentionScheduler scheduler = retention;
        if (scheduler != null) {
            scheduler.stop();
        }
        if (spool != null) {
            spool.stopDraining();
        }
        long closeBy = ingestion.deadline() + Ingestion.CLOSE_GRACE_NANOS;
        ingestion.stop();
        if (spool != null) {
            spool.close();
        }
        if (ownedPool != null) {
            BoundedClose.close(ownedPool, "connection pool", closeBy);
        }
        if (readPool != null) {
            BoundedClose.close(readPool, "read pool", closeBy);
        }
        ingestion.logClosed();
    }
}
