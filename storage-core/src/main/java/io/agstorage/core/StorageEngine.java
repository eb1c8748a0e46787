package io.agstorage.core;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.agstorage.core.RejectedPointsException.Rejection;
import io.agstorage.core.internal.Causes;
import io.agstorage.core.internal.ConnectionPool;
import io.agstorage.core.internal.PointRules;
import io.agstorage.core.internal.SeriesRef;
import io.agstorage.core.internal.SeriesRegistry;
import io.agstorage.core.internal.Time;
import io.agstorage.core.json.LabelsJson;
import io.agstorage.core.pipeline.IngestPipeline;
import io.agstorage.core.query.MetricQueries;
import io.agstorage.core.query.QueryCache;
import io.agstorage.core.retention.internal.RollupQueries;
import io.agstorage.core.schema.MigrationRunner;
import io.agstorage.core.writer.BatchWriter;
import io.agstorage.core.writer.CommitOutcomeUnknownException;
import io.agstorage.core.writer.DirectWriter;
import io.agstorage.core.writer.SampleStore;
import io.agstorage.core.writer.SpoolPosition;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    private static final Logger log = LoggerFactory.getLogger(StorageEngine.class);
    private static final Map<String, String> NO_LABELS = Map.of();
    /** insertMetricsBatch sends points on in chunks of this many, so the database inserts while the rest are validated. */
    private static final int STREAM_CHUNK = 1_024;
    /** ... after a first, small chunk, so that the database starts working almost as soon as the call does. */
    private static final int FIRST_STREAM_CHUNK = 128;

    private final StorageConfig config;
    private final DataSource dataSource;
    private final @Nullable HikariDataSource ownedPool;
    private final Capabilities capabilities;
    private final String quotedSchema;
    private final SeriesRegistry registry = new SeriesRegistry();
    private final BatchWriter writer;
    private final @Nullable DirectWriter direct;
    private final IngestPipeline pipeline;
    private final MetricQueries queries;
    private final RollupQueries rollups;
    private final @Nullable QueryCache cache;
    private final LongAdder droppedInvalid = new LongAdder();
    private final AtomicBoolean closed = new AtomicBoolean();

    private StorageEngine(StorageConfig config, DataSource dataSource, @Nullable HikariDataSource ownedPool) {
        this.config = config;
        this.dataSource = dataSource;
        this.ownedPool = ownedPool;
        this.quotedSchema = Sql.quoteIdentifier(config.schema());
        this.capabilities = detect();
        log.info("ag-storage on {}: {}", Masking.maskJdbcUrl(config.jdbcUrl()), capabilities.describe());
        if (capabilities.tier() == TimescaleTier.NONE) {
            throw new StorageException(
                    "TimescaleDB is not installed on this PostgreSQL " + capabilities.postgresVersion()
                            + " server (" + Masking.maskJdbcUrl(config.jdbcUrl())
                            + "). ag-storage needs it: run scripts/timescaledb start "
                            + "for a local server, `docker compose up -d` for the official image, or install the timescaledb "
                            + "package for this PostgreSQL and add it to shared_preload_libraries");
        }
        if (capabilities.wasm() && ownedPool != null) {
            ConnectionPool.openAllUpFront(ownedPool, config.connectionTimeoutSec());
        }
        if (config.migrate()) {
            initSchemas();
        }
        boolean useCopy = switch (config.writeMethod()) {
            case COPY -> true;
            case INSERT -> false;
            case AUTO -> !capabilities.wasm();
        };
        this.writer = new BatchWriter(
                new SampleStore(dataSource, quotedSchema, useCopy), config.batchSize(), config.flushIntervalMs());
        // The WASM tier serves every connection from one session: concurrent transactions there would interleave.
        // Elsewhere direct writes leave the writer thread a connection (with max_connections 1 they take turns).
        this.direct = capabilities.wasm()
                ? null
                : new DirectWriter(dataSource, quotedSchema, useCopy, config.maxConnections() - 1);
        // The writer wakes at least every SPOOL_LINGER_MS when idle, to write spooled data that lingered for more.
        long wakeUpMs = Math.min(config.flushIntervalMs(), BatchWriter.SPOOL_LINGER_MS);
        this.pipeline = new IngestPipeline(config.maxBufferSize(), wakeUpMs, writer, runnable -> {
            Thread t = new Thread(runnable, "ag-storage-writer-" + config.schema());
            t.setDaemon(true);
            return t;
        });
        this.queries = new MetricQueries(dataSource, quotedSchema);
        this.rollups = new RollupQueries(dataSource, quotedSchema);
        this.cache = config.enableCache()
                ? new QueryCache(Duration.ofSeconds(config.cacheTtlSec()), Clock.systemUTC())
                : null;
        log.info(
                "Ingestion started: buffer {} slots, batch {} samples, flush every {} ms, write method {}",
                pipeline.bufferSize(),
                config.batchSize(),
                config.flushIntervalMs(),
                useCopy ? "binary COPY" : "INSERT ... unnest");
    }

    /**
     * Starts an engine with its own connection pool (HikariCP, {@code database.max_connections}): detects the
     * server's capabilities, applies pending migrations (unless {@code database.migrate} is false), starts the writer.
     *
     * @throws StorageException when the database is unreachable or lacks TimescaleDB
     */
    public static StorageEngine create(StorageConfig config) {
        Objects.requireNonNull(config, "config");
        HikariDataSource pool = ConnectionPool.create(config);
        try {
            return new StorageEngine(config, pool, pool);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /** Starts an engine on the caller's {@link DataSource}, which the engine uses but never closes. */
    public static StorageEngine create(StorageConfig config, DataSource dataSource) {
        return new StorageEngine(
                Objects.requireNonNull(config, "config"), Objects.requireNonNull(dataSource, "dataSource"), null);
    }

    private Capabilities detect() {
        try (Connection c = dataSource.getConnection()) {
            return Capabilities.detect(c);
        } catch (SQLException e) {
            throw new StorageException(
                    "cannot read server capabilities from " + Masking.maskJdbcUrl(config.jdbcUrl()) + ": "
                            + e.getMessage(),
                    e);
        }
    }

    /** Creates the TimescaleDB extension if needed and applies pending migrations; a no-op when up to date. */
    public void initSchemas() {
        try (Connection c = dataSource.getConnection()) {
            if (capabilities.timescaleVersion() == null) {
                try (Statement st = c.createStatement()) {
                    st.execute("CREATE EXTENSION IF NOT EXISTS timescaledb");
                }
                log.info("Created extension timescaledb {}", capabilities.availableTimescaleVersion());
            }
            new MigrationRunner(config.schema()).migrate(c);
        } catch (SQLException e) {
            throw new StorageException("migrating schema " + config.schema() + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * The hot-path handle of a gauge series; the same name and labels always give a handle on the same series.
     *
     * @throws IllegalArgumentException when the name or a label breaks a rule (see {@link #insertMetric})
     */
    public MetricSeries series(String name, Map<String, String> labels) {
        return series(name, labels, MetricType.GAUGE, null, null);
    }

    /**
     * The hot-path handle of a series with a type, unit and temporality; the first registration of a series
     * in this JVM decides those.
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
        return handle(registry.intern(name, labels, type, unit, temporality));
    }

    private MetricSeries handle(SeriesRef ref) {
        return new MetricSeries(ref, pipeline, droppedInvalid);
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
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.writeTimeoutMs());
        List<Rejection> rejections = new ArrayList<>();
        int valid = direct != null
                ? insertDirect(points, rejections, deadline)
                : insertThroughWriter(points, rejections, deadline);
        if (!rejections.isEmpty()) {
            throw new RejectedPointsException(rejections, valid);
        }
    }

    private int insertDirect(List<MetricPoint> points, List<Rejection> rejections, long deadline) {
        long now = Time.nowMicros();
        int n = points.size();
        try (DirectWriter.Write write = direct.begin(n, deadline)) {
            for (int i = 0; i < n; i++) {
                MetricPoint p = Objects.requireNonNull(points.get(i), "points[" + i + "]");
                long t = p.time() != null ? PointRules.toEpochMicros(p.time()) : now;
                SeriesRef ref = accept(p, i, t, rejections);
                if (ref != null) {
                    write.add(ref, t, p.value());
                    if (write.size() % STREAM_CHUNK == 0 || write.size() == FIRST_STREAM_CHUNK) {
                        write.sendSoFar();
                    }
                }
            }
            if (write.size() > 0) {
                write.commit();
            }
            return write.size();
        } catch (CommitOutcomeUnknownException e) {
            throw new StorageException(
                    "writing " + (n - rejections.size()) + " points: " + e.getMessage()
                            + "; check before writing them again",
                    e);
        } catch (SQLException e) {
            throw new StorageException(
                    "writing " + (n - rejections.size()) + " points failed, none was written: " + Causes.rootMessage(e),
                    e);
        } catch (TimeoutException e) {
            throw new StorageException(
                    "writing " + (n - rejections.size()) + " points failed, none was written: " + e.getMessage()
                            + " within ingestion.write_timeout_ms=" + config.writeTimeoutMs() + " ms",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException(
                    "interrupted while writing " + (n - rejections.size()) + " points; none was written", e);
        }
    }

    private int insertThroughWriter(List<MetricPoint> points, List<Rejection> rejections, long deadline) {
        long now = Time.nowMicros();
        int n = points.size();
        int chunk = Math.min(n, STREAM_CHUNK);
        SeriesRef[] refs = new SeriesRef[chunk];
        long[] times = new long[chunk];
        double[] values = new double[chunk];
        CompletableFuture<Long> committed = new CompletableFuture<>();
        int valid = 0;
        int pending = 0;
        try {
            for (int i = 0; i < n; i++) {
                MetricPoint p = Objects.requireNonNull(points.get(i), "points[" + i + "]");
                long t = p.time() != null ? PointRules.toEpochMicros(p.time()) : now;
                SeriesRef ref = accept(p, i, t, rejections);
                if (ref == null) {
                    continue;
                }
                refs[pending] = ref;
                times[pending] = t;
                values[pending] = p.value();
                pending++;
                valid++;
                if (pending == chunk && i < n - 1) {
                    // Publish as we go, so the writer copies one chunk while this thread validates the next.
                    pipeline.publishAll(refs, times, values, null, pending, null, deadline);
                    pending = 0;
                }
            }
            if (valid > 0) {
                pipeline.publishAll(refs, times, values, null, pending, committed, deadline);
            }
        } catch (TimeoutException e) {
            committed.completeExceptionally(bufferFull(e));
        }
        if (valid > 0) {
            awaitCommit(committed, valid);
        }
        return valid;
    }

    /** The point's interned series, or null after adding why it is refused to {@code rejections}. */
    private @Nullable SeriesRef accept(MetricPoint p, int index, long epochMicros, List<Rejection> rejections) {
        SeriesRef ref = registry.find(p.name(), p.labels());
        String error = validate(p, epochMicros, ref == null);
        if (error != null) {
            rejections.add(new Rejection(index, error));
            return null;
        }
        return ref != null ? ref : registry.intern(p.name(), p.labels(), MetricType.GAUGE, null, null);
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
        long t = point.time() != null ? PointRules.toEpochMicros(point.time()) : Time.nowMicros();
        SeriesRef ref = registry.find(point.name(), point.labels());
        String error = validate(point, t, ref == null);
        if (error != null) {
            throw new IllegalArgumentException(error);
        }
        return pipeline.tryPublishSample(
                ref != null ? ref : registry.intern(point.name(), point.labels(), MetricType.GAUGE, null, null),
                t,
                point.value());
    }

    /**
     * Writes everything buffered so far and waits for the commit.
     *
     * @return how many samples and histograms were committed between this call and its return (those buffered
     *     before it, and any that other threads added meanwhile)
     */
    public long flushBuffer() {
        checkOpen();
        long before = writer.committedTotal();
        try {
            long after = flushAsync().get(config.writeTimeoutMs(), TimeUnit.MILLISECONDS);
            return after - before;
        } catch (TimeoutException e) {
            throw new StorageException(
                    "flush not confirmed within ingestion.write_timeout_ms=" + config.writeTimeoutMs()
                            + " ms; the data stays buffered and is written when the database is reachable",
                    e);
        } catch (ExecutionException e) {
            throw new StorageException("flush failed: " + Causes.rootMessage(e), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while flushing", e);
        }
    }

    /** A future completing once everything buffered before this call is committed (or failing if it was dropped). */
    public CompletableFuture<Long> flushAsync() {
        checkOpen();
        try {
            return pipeline.publishBarrier(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.writeTimeoutMs()));
        } catch (TimeoutException e) {
            return CompletableFuture.failedFuture(new StorageException("ingestion buffer full: " + e.getMessage(), e));
        }
    }

    /**
     * Submits a batch, waiting up to {@code ingestion.write_timeout_ms} for room in the buffer; the future
     * completes when every entry is committed. The batch may be reused as soon as this returns.
     */
    public CompletableFuture<Long> submit(SampleBatch batch) {
        Objects.requireNonNull(batch, "batch");
        checkOpen();
        return publish(
                batch.seriesArray(), batch.timesArray(), batch.valuesArray(), batch.histogramsArray(), batch.size());
    }

    /**
     * Submits a batch only if the buffer has room for all of it now; never waits. Returns null when it has
     * not (nothing was submitted: the caller can tell its client to retry later).
     */
    public @Nullable CompletableFuture<Long> trySubmit(SampleBatch batch) {
        Objects.requireNonNull(batch, "batch");
        checkOpen();
        CompletableFuture<Long> committed = new CompletableFuture<>();
        return pipeline.tryPublishAll(
                        batch.seriesArray(),
                        batch.timesArray(),
                        batch.valuesArray(),
                        batch.histogramsArray(),
                        batch.size(),
                        committed)
                ? committed
                : null;
    }

    /**
     * Submits the batch of one spooled record (a record of a local spool, such as the OTLP receiver's, already
     * acknowledged to its client), waiting for room in the buffer until {@code deadlineNanos} ({@link System#nanoTime()});
     * returns null when there was none by then.
     * The writer may hold spooled data up to {@link io.agstorage.core.writer.BatchWriter#SPOOL_LINGER_MS} ms for more,
     * so it goes in large statements; how far the spool got ({@code sequence}, entries of it) is committed in the
     * same transaction as its rows and read back by {@link #spoolPosition}. Used by {@link SampleSpool}. The future completes when the whole
     * batch is committed. Records of one spool must be submitted in sequence order.
     */
    @Nullable
    CompletableFuture<Long> trySubmitSpooled(SampleBatch batch, UUID spool, long sequence, long deadlineNanos) {
        checkSpooled(batch, spool);
        CompletableFuture<Long> committed = new CompletableFuture<>();
        try {
            pipeline.publishSpooled(
                    batch.seriesArray(),
                    batch.timesArray(),
                    batch.valuesArray(),
                    batch.histogramsArray(),
                    batch.size(),
                    spool,
                    sequence,
                    0,
                    committed,
                    deadlineNanos);
        } catch (TimeoutException e) {
            return null;
        }
        return committed;
    }

    /**
     * {@link #trySubmitSpooled} of a record's entries from {@code firstEntry} on, waiting up to
     * {@code ingestion.write_timeout_ms} for room (a spool replaying after a restart); the future fails when there was none.
     */
    CompletableFuture<Long> submitSpooled(SampleBatch batch, UUID spool, long sequence, int firstEntry) {
        checkSpooled(batch, spool);
        CompletableFuture<Long> committed = new CompletableFuture<>();
        try {
            pipeline.publishSpooled(
                    batch.seriesArray(),
                    batch.timesArray(),
                    batch.valuesArray(),
                    batch.histogramsArray(),
                    batch.size(),
                    spool,
                    sequence,
                    firstEntry,
                    committed,
                    System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.writeTimeoutMs()));
        } catch (TimeoutException e) {
            committed.completeExceptionally(bufferFull(e));
        }
        return committed;
    }

    private void checkSpooled(SampleBatch batch, UUID spool) {
        Objects.requireNonNull(batch, "batch");
        Objects.requireNonNull(spool, "spool");
        if (batch.isEmpty()) {
            throw new IllegalArgumentException("a spooled record must hold at least one point, was empty");
        }
        checkOpen();
    }

    /** How far a spool's records are committed ({@code spool_watermarks}). */
    SpoolPosition spoolPosition(UUID spool) {
        Objects.requireNonNull(spool, "spool");
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT sequence, entries FROM " + quotedSchema + ".spool_watermarks WHERE spool = ?")) {
            ps.setObject(1, spool);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new SpoolPosition(rs.getLong(1), rs.getInt(2)) : SpoolPosition.NONE;
            }
        } catch (SQLException e) {
            throw new StorageException("reading the position of spool " + spool + ": " + e.getMessage(), e);
        }
    }

    /**
     * The series of database ids, as handles of this engine (interned, with their ids); ids the database does not
     * hold are absent from the map. For replaying records that name series by id.
     */
    Map<Long, MetricSeries> seriesByIds(long[] ids) {
        Map<Long, MetricSeries> found = new HashMap<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("SELECT id, metric, labels::text, type, unit, temporality FROM "
                                + quotedSchema + ".series WHERE id = ANY(?)")) {
            ps.setArray(1, c.createArrayOf("bigint", Arrays.stream(ids).boxed().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long id = rs.getLong(1);
                    SeriesRef ref = registry.intern(
                            rs.getString(2),
                            LabelsJson.parse(rs.getString(3)),
                            MetricType.valueOf(rs.getString(4).toUpperCase(Locale.ROOT)),
                            rs.getString(5),
                            rs.getString(6));
                    if (ref.id() == 0) {
                        ref.resolved(id);
                    }
                    found.put(id, handle(ref));
                }
            }
        } catch (SQLException e) {
            throw new StorageException("reading series " + ids.length + " ids: " + e.getMessage(), e);
        }
        return found;
    }

    private CompletableFuture<Long> publish(
            SeriesRef[] refs, long[] times, double[] values, @Nullable HistogramPoint[] hists, int n) {
        CompletableFuture<Long> committed = new CompletableFuture<>();
        try {
            pipeline.publishAll(
                    refs,
                    times,
                    values,
                    hists,
                    n,
                    committed,
                    System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.writeTimeoutMs()));
        } catch (TimeoutException e) {
            committed.completeExceptionally(bufferFull(e));
        }
        return committed;
    }

    private StorageException bufferFull(TimeoutException e) {
        return new StorageException(
                "ingestion buffer stayed full for ingestion.write_timeout_ms=" + config.writeTimeoutMs()
                        + " ms; is the database reachable?",
                e);
    }

    private void awaitCommit(CompletableFuture<Long> committed, int count) {
        try {
            committed.get(config.writeTimeoutMs(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new StorageException(
                    count + " points not confirmed committed within ingestion.write_timeout_ms="
                            + config.writeTimeoutMs()
                            + " ms; they stay buffered and are written when the database is reachable",
                    e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof StorageException se
                    ? se
                    : new StorageException(
                            "writing " + count + " points failed: " + Causes.rootMessage(e), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while waiting for the commit", e);
        }
    }

    /** The first rule {@code p} breaks, or null; name and labels only for a series not interned yet (interned ones passed). */
    private static @Nullable String validate(MetricPoint p, long epochMicros, boolean newSeries) {
        String error = newSeries ? PointRules.checkName(p.name()) : null;
        if (error == null && newSeries) {
            error = PointRules.checkLabels(p.labels());
        }
        if (error == null) {
            error = PointRules.checkValue(p.value());
        }
        if (error == null) {
            error = PointRules.checkTime(epochMicros);
        }
        return error;
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
        Objects.requireNonNull(name, "name");
        checkRange(start, end);
        Map<String, String> filter = labels == null ? NO_LABELS : Map.copyOf(labels);
        record RawKey(String name, Instant start, Instant end, Map<String, String> labels) {}
        return cached(new RawKey(name, start, end, filter), end, () -> {
            try {
                return queries.raw(name, start, end, filter, config.maxResults());
            } catch (SQLException e) {
                throw new StorageException("queryMetrics failed: " + e.getMessage(), e);
            }
        });
    }

    /** {@link #queryAggregated(String, Instant, Instant, Duration, Aggregation, Map)} over every series of {@code name}. */
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
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(agg, "aggregation");
        checkRange(start, end);
        if (bucket.isNegative() || bucket.toNanos() < 1_000) {
            throw new IllegalArgumentException("bucket must be at least 1 microsecond, was " + bucket);
        }
        Map<String, String> filter = labels == null ? NO_LABELS : Map.copyOf(labels);
        record AggKey(
                String name,
                Instant start,
                Instant end,
                Duration bucket,
                Aggregation agg,
                Map<String, String> labels) {}
        return cached(new AggKey(name, start, end, bucket, agg, filter), end, () -> {
            try {
                AggregationResult fromRollup =
                        rollups.aggregated(name, start, end, bucket, agg, filter, config.maxResults());
                return fromRollup != null
                        ? fromRollup
                        : new AggregationResult(
                                "samples",
                                queries.aggregated(name, start, end, bucket, agg, filter, config.maxResults()));
            } catch (SQLException e) {
                throw new StorageException("queryAggregated failed: " + e.getMessage(), e);
            }
        });
    }

    private <T> T cached(Object key, Instant end, java.util.function.Supplier<T> query) {
        return cache != null ? cache.get(key, end, query) : query.get();
    }

    private static void checkRange(Instant start, Instant end) {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        if (end.isBefore(start)) {
            throw new IllegalArgumentException("end must not be before start, was start=" + start + ", end=" + end);
        }
    }

    /** The connection pool's current state (all zero except max when the engine runs on a caller's DataSource). */
    public PoolStatus poolStatus() {
        if (ownedPool == null || ownedPool.getHikariPoolMXBean() == null) {
            return new PoolStatus(0, 0, 0, 0, config.maxConnections());
        }
        HikariPoolMXBean pool = ownedPool.getHikariPoolMXBean();
        return new PoolStatus(
                pool.getActiveConnections(),
                pool.getIdleConnections(),
                pool.getTotalConnections(),
                pool.getThreadsAwaitingConnection(),
                ownedPool.getMaximumPoolSize());
    }

    /** The pipeline's counters now. */
    public IngestionStats ingestionStats() {
        long directCommitted = direct != null ? direct.committedSamples() : 0;
        long directRetries = direct != null ? direct.retries() : 0;
        return new IngestionStats(
                pipeline.accepted() + directCommitted,
                writer.committedTotal() + directCommitted,
                pipeline.droppedFull(),
                droppedInvalid.sum(),
                writer.droppedSamples(),
                writer.retries() + directRetries,
                pipeline.queueDepth(),
                pipeline.bufferSize(),
                writer.lastBatchNanos() / 1e6);
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

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("StorageEngine is closed");
        }
    }

    /**
     * Flushes what is buffered, waiting at most {@code ingestion.write_timeout_ms}, then stops the writer and
     * closes the pool it owns. Anything still unwritten after that wait is dropped and logged. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.writeTimeoutMs());
        try {
            pipeline.publishBarrier(deadline).get(config.writeTimeoutMs(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            log.error("Closing with data unwritten: {}", Causes.rootMessage(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writer.stopRetryingAt(System.nanoTime());
        pipeline.shutdown(5_000);
        if (ownedPool != null) {
            ownedPool.close();
        }
        IngestionStats stats = ingestionStats();
        log.info(
                "StorageEngine closed: {} committed, {} dropped (full {}, invalid {}, failed {})",
                stats.committed(),
                stats.droppedFull() + stats.droppedInvalid() + stats.droppedFailed(),
                stats.droppedFull(),
                stats.droppedInvalid(),
                stats.droppedFailed());
    }
}
