package io.agstorage.otel.mapping;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agstorage.core.StorageEngine;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes exemplars to the {@code exemplars} table (migration V002) once the points they belong to are committed (so
 * their series exist). Best effort: a failure is logged and counted, never fails the export of the points.
 */
public final class ExemplarStore {

    private static final Logger log = LoggerFactory.getLogger(ExemplarStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One exemplar of a stored point. */
    public record Exemplar(
            String metric,
            Map<String, String> labels,
            long timeNanos,
            double value,
            @Nullable String traceId,
            @Nullable String spanId,
            Map<String, String> attributes) {}

    private final StorageEngine engine;
    private final String insert;
    private final Executor executor;
    /** Exports whose exemplars may wait for the store's thread; past that, an export's exemplars are dropped. */
    static final int MAX_QUEUED = 256;

    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();

    /** A store writing to {@code engine}'s schema on a thread of its own (a daemon, ended when idle). */
    public ExemplarStore(StorageEngine engine) {
        this.engine = engine;
        String schema = engine.quotedSchema();
        this.insert = "INSERT INTO " + schema + ".exemplars (time, series_id, value, trace_id, span_id, attributes) "
                + "SELECT ?, id, ?, ?, ?, ?::jsonb FROM " + schema + ".series WHERE metric = ? AND labels = ?::jsonb";
        ThreadPoolExecutor pool =
                new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(MAX_QUEUED), r -> {
                    Thread t = new Thread(
                            r, "ag-storage-exemplars-" + engine.config().schema());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        this.executor = pool;
    }

    /**
     * Writes the exemplars on the store's own thread; the future completes (never exceptionally) when done. At most
     * {@link #MAX_QUEUED} exports wait for that thread: past that the exemplars are dropped, counted and logged.
     */
    public CompletableFuture<Void> write(List<Exemplar> exemplars) {
        if (exemplars.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        try {
            return CompletableFuture.runAsync(() -> writeNow(exemplars), executor)
                    .exceptionally(e -> null);
        } catch (RejectedExecutionException e) {
            long n = dropped.addAndGet(exemplars.size());
            log.warn(
                    "{} exemplars dropped ({} so far): {} exports already wait to write theirs",
                    exemplars.size(),
                    n,
                    MAX_QUEUED);
            return CompletableFuture.completedFuture(null);
        }
    }

    private void writeNow(List<Exemplar> exemplars) {
        try (Connection c = engine.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement(insert)) {
            for (Exemplar e : exemplars) {
                long micros = e.timeNanos() / 1_000;
                ps.setObject(
                        1,
                        OffsetDateTime.ofInstant(
                                Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1_000),
                                ZoneOffset.UTC));
                ps.setDouble(2, e.value());
                setText(ps, 3, e.traceId());
                setText(ps, 4, e.spanId());
                ps.setString(5, JSON.writeValueAsString(e.attributes()));
                ps.setString(6, e.metric());
                ps.setString(7, JSON.writeValueAsString(e.labels()));
                ps.addBatch();
            }
            ps.executeBatch();
            written.addAndGet(exemplars.size());
        } catch (SQLException | JsonProcessingException | RuntimeException e) {
            long n = failed.addAndGet(exemplars.size());
            log.warn("{} exemplars not stored ({} so far): {}", exemplars.size(), n, e.getMessage());
        }
    }

    private static void setText(PreparedStatement ps, int index, @Nullable String value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.VARCHAR);
        } else {
            ps.setString(index, value);
        }
    }

    /** How many exemplars were written so far. */
    long written() {
        return written.get();
    }

    /** How many exemplars were dropped so far because {@link #MAX_QUEUED} exports already waited. */
    long dropped() {
        return dropped.get();
    }

    /** How many exemplars could not be written so far. */
    long failed() {
        return failed.get();
    }
}
