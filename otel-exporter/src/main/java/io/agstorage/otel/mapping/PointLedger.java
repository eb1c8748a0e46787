package io.agstorage.otel.mapping;

import io.agstorage.core.MetricSeries;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Which points of each series are stored or on their way, so that a point sent twice is stored once: an OTLP point
 * is identified by its series and its time (the OTel data model's single-writer rule: two points of one series with
 * one timestamp are the same point).
 *
 * <p>Why: a client that gives up waiting for its answer (the Collector's exporter times out after 5 s, the receiver
 * may wait up to {@code ingestion.write_timeout_ms}) sends the request again while the first copy is still queued or
 * committing. Withdrawing the first copy when the client goes away cannot be done safely at the commit instant; a
 * claim made when the points are mapped, before they are queued, holds whatever the timeouts: the retry finds every
 * point claimed, stores nothing, and is answered once the first copy's fate is known ({@link Claims#earlierCopies}).
 * A copy that is not committed withdraws its claims ({@link #release}) before it fails, so a later retry stores them.
 *
 * <p>Applied to gauge, delta-sum, delta-histogram and summary-quantile points; cumulative points are already
 * idempotent in {@link CumulativeState} (a repeated time stores nothing).
 *
 * <p>Kept behind this interface so that the state can move into the database, for several receivers behind one
 * load balancer; {@link RecentPoints} keeps it in memory.
 */
public interface PointLedger {

    /**
     * Claims the point of {@code series} at {@code timeNanos} for the request of {@code claims}. Returns null when the
     * request claimed it now (store the point), else the outcome of the request that holds it (store nothing).
     */
    @Nullable
    CompletableFuture<Void> claim(MetricSeries series, long timeNanos, Claims claims);

    /** Withdraws every claim of {@code claims} that is still its own (its request was not committed). */
    void release(Claims claims);

    /** Claims every point: checks nothing (the in-process SDK exporter, which never sends a point twice). */
    PointLedger NONE = new PointLedger() {
        @Override
        public @Nullable CompletableFuture<Void> claim(MetricSeries series, long timeNanos, Claims claims) {
            return null;
        }

        @Override
        public void release(Claims claims) {}
    };
}
