package io.agstorage.otlp.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.agstorage.core.BatchTooLargeException;
import io.agstorage.core.IngestionStats;
import io.agstorage.core.SampleBatch;
import io.agstorage.core.StorageEngine;
import io.agstorage.core.spool.SampleSpool;
import io.agstorage.otel.mapping.CumulativeState;
import io.agstorage.otel.mapping.ExemplarStore;
import io.agstorage.otel.mapping.PointLedger;
import io.agstorage.otel.mapping.PointWriter;
import io.agstorage.otel.mapping.RecentPoints;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport-independent part of the receiver: maps a decoded request, submits it without waiting for room, and
 * tells the transport what to answer.
 */
public final class OtlpIngest {

    private static final Logger log = LoggerFactory.getLogger(OtlpIngest.class);

    /** What a client is told when its points were not committed; what the database said is logged, never sent. */
    public static final String NOT_COMMITTED = "not committed (database unavailable), retry later";

    static final String BUFFER_FULL = "ingestion buffer full, retry later";
    static final String NEW_SERIES_DEFERRED = "ingestion buffer over half full, new series wait, retry later";

    /** What a transport answers. */
    public sealed interface Outcome {
        /** Committed (all but {@code rejected} points): answer 200 / OK with this response. */
        record Accepted(ExportMetricsServiceResponse response) implements Outcome {}
        /** The ingestion buffer is full: nothing was stored; answer 503 / UNAVAILABLE with a retry delay. */
        record Busy(String message) implements Outcome {}
        /** Not committed (database failing, engine closed): nothing is confirmed; answer 503 / UNAVAILABLE. */
        record Failed(String message) implements Outcome {}
        /**
         * Larger than this engine can write all or nothing (the ingestion buffer, on a tier without direct writes):
         * nothing was stored, and sending it again fails again; answer 413 / RESOURCE_EXHAUSTED without retry info.
         */
        record TooLarge(String message) implements Outcome {}
    }

    private final StorageEngine engine;
    private final @Nullable SampleSpool spool;
    private final CumulativeState state;
    private final SeriesCache seriesCache;
    private final ExemplarStore exemplars;
    private final int waitAboveSize;
    private final LongAdder accepted = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder busy = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder newSeriesDeferred = new LongAdder();
    private final PointLedger ledger;

    public OtlpIngest(StorageEngine engine, CumulativeState state, long maxSeries) {
        this(engine, null, state, maxSeries);
    }

    /** With {@code spool} set, a request is answered once spooled rather than once committed. */
    public OtlpIngest(StorageEngine engine, @Nullable SampleSpool spool, CumulativeState state, long maxSeries) {
        this.engine = engine;
        this.spool = spool;
        this.state = state;
        this.seriesCache = new SeriesCache(maxSeries);
        this.exemplars = new ExemplarStore(engine);
        this.ledger = new RecentPoints(maxSeries);
        // A request larger than half the ring would rarely find room all at once: those wait for room instead.
        this.waitAboveSize = Math.max(1, engine.ingestionStats().bufferSize() / 2);
    }

    /** A decoded request; {@code utf8Repaired} when invalid UTF-8 in it was replaced by U+FFFD to decode it. */
    public record Decoded(ExportMetricsServiceRequest request, boolean utf8Repaired) {}

    /**
     * Decodes a protobuf request. Invalid UTF-8 in string fields (which protobuf-java refuses) is replaced by U+FFFD,
     * so only the data points it touches are refused rather than the whole request.
     *
     * @throws InvalidProtocolBufferException when the bytes are not an ExportMetricsServiceRequest
     */
    public static Decoded decode(byte[] bytes) throws InvalidProtocolBufferException {
        try {
            return new Decoded(ExportMetricsServiceRequest.parseFrom(bytes), false);
        } catch (InvalidProtocolBufferException e) {
            byte[] repaired;
            try {
                repaired = Utf8Repair.repair(bytes, ExportMetricsServiceRequest.getDescriptor());
            } catch (InvalidProtocolBufferException | RuntimeException notRepairable) {
                throw e;
            }
            try {
                return new Decoded(ExportMetricsServiceRequest.parseFrom(repaired), true);
            } catch (InvalidProtocolBufferException stillBad) {
                throw e;
            }
        }
    }

    public CompletableFuture<Outcome> ingest(ExportMetricsServiceRequest request) {
        return ingest(new Decoded(request, false));
    }

    /**
     * Maps and submits a request. Whole or not at all: its rows are queued together, or (larger than the ingestion
     * buffer) written in one transaction, or not at all; a client told 503 may send everything again. Idempotent: each
     * gauge and delta point is claimed in the {@link PointLedger} first, so a copy of a request sent again after the
     * client gave up waiting stores nothing twice, whatever the client's and the receiver's timeouts, and is answered
     * once the first copy's fate is known (cumulative points are idempotent through {@link CumulativeState}).
     */
    public CompletableFuture<Outcome> ingest(Decoded decoded) {
        ExportMetricsServiceRequest request = decoded.request();
        PointWriter writer =
                new PointWriter(engine, state, (int) Math.min(1 << 20, OtlpMetricMapper.countPoints(request)), ledger);
        writer.setUtf8Repaired(decoded.utf8Repaired());
        CompletableFuture<Long> committed;
        try {
            OtlpMetricMapper.map(request, writer, seriesCache);
            if (writer.duplicates() > 0) {
                duplicates.add(writer.duplicates());
            }
            if (writer.batch().isEmpty()) {
                writer.committed();
                return afterEarlierCopies(writer, CompletableFuture.completedFuture(accepted(writer)));
            }
            Outcome.Busy deferred = deferNewSeries(writer.batch());
            if (deferred != null) {
                writer.rollback();
                busy.increment();
                return CompletableFuture.completedFuture(deferred);
            }
            if (spool != null) {
                return afterEarlierCopies(writer, spool(spool, writer));
            }
            committed = writer.batch().size() > waitAboveSize
                    ? engine.submit(writer.batch())
                    : engine.trySubmit(writer.batch());
        } catch (RuntimeException e) {
            writer.rollback();
            log.warn("OTLP request not stored: {}", e.toString());
            return CompletableFuture.completedFuture(new Outcome.Failed("not stored (receiver failing), retry later"));
        }
        if (committed == null) {
            writer.rollback();
            busy.increment();
            return CompletableFuture.completedFuture(new Outcome.Busy(BUFFER_FULL));
        }
        CompletableFuture<Outcome> outcome = committed
                .handle((n, error) -> {
                    if (error != null) {
                        writer.rollback();
                        Throwable cause = cause(error);
                        if (cause instanceof BatchTooLargeException) {
                            return (Outcome) new Outcome.TooLarge(cause.getMessage());
                        }
                        log.warn(
                                "OTLP request of {} points not committed: {}",
                                writer.batch().size(),
                                error.getMessage());
                        return (Outcome) new Outcome.Failed(NOT_COMMITTED);
                    }
                    writer.committed();
                    return accepted(writer);
                })
                .thenCompose(o ->
                        o instanceof Outcome.Accepted && !writer.exemplars().isEmpty()
                                ? exemplars.write(writer.exemplars()).thenApply(done -> o)
                                : CompletableFuture.completedFuture(o));
        return afterEarlierCopies(writer, outcome);
    }

    /**
     * A request holding copies of points another request claimed is answered once that one is committed; if it was
     * not, 503, so the client sends them again (they are claimable again by then).
     */
    private static CompletableFuture<Outcome> afterEarlierCopies(PointWriter writer, CompletableFuture<Outcome> own) {
        if (writer.duplicates() == 0) {
            return own;
        }
        return own.thenCombine(
                writer.earlierCopies().handle((done, error) -> error),
                (outcome, earlierFailed) -> earlierFailed != null && outcome instanceof Outcome.Accepted
                        ? new Outcome.Failed("an earlier copy of some of these points was not committed; retry")
                        : outcome);
    }

    /**
     * While the ingestion buffer is over half full, a request with points of series the database does not hold yet is
     * answered busy at once (its client retries): creating series is the writer's slowest work, and a client creating
     * them without end (a user id in a label) must neither take the whole buffer from clients of known series nor make
     * their requests queue behind its own waiting for room.
     */
    private Outcome.@Nullable Busy deferNewSeries(SampleBatch batch) {
        if (batch.entriesOfUnstoredSeries() == 0) {
            return null;
        }
        IngestionStats stats = engine.ingestionStats();
        if (stats.queueDepth() * 2 <= stats.bufferSize()) {
            return null;
        }
        newSeriesDeferred.increment();
        return new Outcome.Busy(
                stats.queueDepth() + batch.size() > stats.bufferSize() ? BUFFER_FULL : NEW_SERIES_DEFERRED);
    }

    /** The spooled path: answered once the spool has the batch; exemplars are written once it is committed. */
    private CompletableFuture<Outcome> spool(SampleSpool spool, PointWriter writer) {
        SampleSpool.Spooled spooled = spool.trySpool(writer.batch());
        if (spooled == null) {
            writer.rollback();
            busy.increment();
            return CompletableFuture.completedFuture(new Outcome.Busy(BUFFER_FULL));
        }
        if (!writer.exemplars().isEmpty()) {
            spooled.committed().thenRun(() -> exemplars.write(writer.exemplars()));
        }
        return spooled.answer().handle((done, error) -> {
            if (error != null) {
                writer.rollback();
                log.warn(
                        "OTLP request of {} points not spooled nor committed: {}",
                        writer.batch().size(),
                        message(error));
                return new Outcome.Failed(NOT_COMMITTED);
            }
            writer.committed();
            return accepted(writer);
        });
    }

    private Outcome accepted(PointWriter writer) {
        accepted.add(writer.batch().size());
        ExportMetricsServiceResponse.Builder response = ExportMetricsServiceResponse.newBuilder();
        if (writer.rejected() > 0) {
            rejected.add(writer.rejected());
            response.setPartialSuccess(ExportMetricsPartialSuccess.newBuilder()
                    .setRejectedDataPoints(writer.rejected())
                    .setErrorMessage(writer.rejectionMessage()));
        }
        return new Outcome.Accepted(response.build());
    }

    private static Throwable cause(Throwable error) {
        return error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause()
                : error;
    }

    private static String message(Throwable error) {
        Throwable t = cause(error);
        @Nullable String m = t.getMessage();
        return m != null ? m : t.toString();
    }

    public long acceptedPoints() {
        return accepted.sum();
    }

    public long rejectedPoints() {
        return rejected.sum();
    }

    /** Points not stored because an earlier copy of them was (a client's retry). */
    public long duplicatePoints() {
        return duplicates.sum();
    }

    /** Requests answered busy because they brought new series while the buffer was over half full. */
    public long newSeriesDeferred() {
        return newSeriesDeferred.sum();
    }

    public long busyRequests() {
        return busy.sum();
    }
}
