package io.agstorage.core;

import io.agstorage.core.RejectedPointsException.Rejection;
import io.agstorage.core.internal.Causes;
import io.agstorage.core.internal.PointRules;
import io.agstorage.core.internal.SeriesRef;
import io.agstorage.core.internal.SeriesRegistry;
import io.agstorage.core.internal.Time;
import io.agstorage.core.internal.writer.CommitOutcomeUnknownException;
import io.agstorage.core.internal.writer.DirectWriter;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * {@link MetricPoint}s into the engine: validated (names and labels only for series not interned yet), then written
 * on the caller's thread by the direct writer and committed before {@link StorageEngine#insertMetricsBatch} returns
 * (through the ring on the WASM tier), or buffered by {@link StorageEngine#bufferMetric}.
 */
final class PointInserts {

    /** insertMetricsBatch sends points on in chunks of this many: the database inserts while the rest are validated. */
    private static final int STREAM_CHUNK = 1_024;
    /** ... after a first, small chunk, so that the database starts working almost as soon as the call does. */
    private static final int FIRST_STREAM_CHUNK = 128;

    private final long writeTimeoutMs;
    private final SeriesRegistry registry;
    private final Ingestion ingestion;

    PointInserts(StorageConfig config, SeriesRegistry registry, Ingestion ingestion) {
        this.writeTimeoutMs = config.writeTimeoutMs();
        this.registry = registry;
        this.ingestion = ingestion;
    }

    /** {@link StorageEngine#insertMetricsBatch}, once the engine has checked it is open. */
    void insert(List<MetricPoint> points) {
        long deadline = ingestion.deadline();
        List<Rejection> rejections = new ArrayList<>();
        DirectWriter direct = ingestion.direct();
        int valid = direct != null
                ? insertDirect(direct, points, rejections, deadline)
                : insertThroughWriter(points, rejections, deadline);
        if (!rejections.isEmpty()) {
            throw new RejectedPointsException(rejections, valid);
        }
    }

    /** {@link StorageEngine#bufferMetric}, once the engine has checked it is open. */
    boolean buffer(MetricPoint point) {
        long t = point.time() != null ? PointRules.toEpochMicros(point.time()) : Time.nowMicros();
        SeriesRef ref = registry.find(point.name(), point.labels());
        String error = validate(point, t, ref == null);
        if (error != null) {
            throw new IllegalArgumentException(error);
        }
        return ingestion
                .pipeline()
                .tryPublishSample(
                        ref != null ? ref : registry.intern(point.name(), point.labels(), MetricType.GAUGE, null, null),
                        t,
                        point.value());
    }

    private int insertDirect(DirectWriter direct, List<MetricPoint> points, List<Rejection> rejections, long deadline) {
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
                            + " within ingestion.write_timeout_ms=" + writeTimeoutMs + " ms",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException(
                    "interrupted while writing " + (n - rejections.size()) + " points; none was written", e);
        }
    }

    /**
     * The WASM tier's path: every valid point into the ring in one claim, so that a failure leaves nothing queued
     * behind the caller's back (a caller told "none was written" may send them again without doubling a point).
     */
    private int insertThroughWriter(List<MetricPoint> points, List<Rejection> rejections, long deadline) {
        long now = Time.nowMicros();
        int n = points.size();
        SeriesRef[] refs = new SeriesRef[n];
        long[] times = new long[n];
        double[] values = new double[n];
        int valid = 0;
        for (int i = 0; i < n; i++) {
            MetricPoint p = Objects.requireNonNull(points.get(i), "points[" + i + "]");
            long t = p.time() != null ? PointRules.toEpochMicros(p.time()) : now;
            SeriesRef ref = accept(p, i, t, rejections);
            if (ref != null) {
                refs[valid] = ref;
                times[valid] = t;
                values[valid] = p.value();
                valid++;
            }
        }
        if (valid == 0) {
            return 0;
        }
        if (!ingestion.pipeline().fits(valid)) {
            throw ingestion.tooLarge(valid);
        }
        CompletableFuture<Long> committed = new CompletableFuture<>();
        try {
            ingestion.pipeline().publishAll(refs, times, values, null, null, valid, committed, deadline);
        } catch (TimeoutException e) {
            throw new StorageException(
                    "writing " + valid + " points failed, none was written: "
                            + ingestion.bufferFull(e).getMessage(),
                    e);
        }
        ingestion.awaitCommit(committed, valid);
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
        try {
            return ref != null ? ref : registry.intern(p.name(), p.labels(), MetricType.GAUGE, null, null);
        } catch (SeriesLimitException e) {
            rejections.add(new Rejection(index, e.getMessage()));
            return null;
        }
    }

    /** The first rule {@code p} breaks, or null; name and labels only for a series not interned yet (others passed). */
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
}
