package io.agstorage.core.internal.writer;

import io.agstorage.core.Sql;
import io.agstorage.core.internal.BrokenConnections;
import io.agstorage.core.internal.SeriesRef;
import io.agstorage.core.internal.SpoolPosition;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Writes one batch (the writer thread's, or one direct write's) in one transaction. {@link #stream} sends samples
 * that have arrived so far into an open transaction while more are on their way; {@link #write} sends the rest,
 * adds the histograms and commits. A batch of samples alone, written by binary COPY, is one auto-committed COPY
 * statement (no BEGIN and COMMIT round trips); anything else runs in an explicit transaction. New series are
 * resolved (and committed) before the transaction that first references them starts; series that appear once it
 * is open restart it, so a sample never references an uncommitted series. Cumulative points become deltas in the
 * transaction, against state kept in the database ({@link CumulativeDeltas}). In the ring writer's store the rows of
 * each statement go in the order of the samples index ({@link RowOrder}). Used by one thread at a time.
 */
public final class SampleStore {

    /** No deadline: the connection keeps the pool's network timeout. */
    static final long NO_DEADLINE = Long.MAX_VALUE;

    private final DataSource dataSource;
    private final SeriesResolver resolver;
    private final SampleWriter samples;
    private final HistogramWriter histograms;
    private final SpoolWatermarkWriter watermarks;
    private final CumulativeDeltas cumulative;
    private final @Nullable BatchMarkers markers;
    private final RowIsolation isolation;
    /**
     * Null for a direct write's store: its rows go out in chunks of about a thousand while the caller validates the
     * rest, and ordering such chunks made {@code scripts/bench ingest} (c) slower, not faster.
     */
    private final @Nullable RowOrder order;

    private @Nullable Connection open;
    private int restoreNetworkTimeoutMs = -1;
    private boolean explicitTransaction;
    private int sent;

    /**
     * The ring writer's store: every batch carries a marker ({@link BatchMarkers}) in its transaction.
     *
     * @param useCopy binary COPY for samples when true, multi-row INSERT otherwise
     */
    public SampleStore(DataSource dataSource, String quotedSchema, boolean useCopy) {
        this(dataSource, quotedSchema, useCopy, Integer.MAX_VALUE, true, true);
    }

    /**
     * @param maxSamples the most samples one batch will hold (sizes the COPY buffer)
     * @param markBatches whether batches with an id carry a marker (a caller that waits for its answer needs none)
     * @param orderRows whether each statement's rows are put in the order of the samples index first
     */
    SampleStore(
            DataSource dataSource,
            String quotedSchema,
            boolean useCopy,
            int maxSamples,
            boolean markBatches,
            boolean orderRows) {
        this.dataSource = dataSource;
        this.resolver = new SeriesResolver(quotedSchema, useCopy);
        this.samples = useCopy ? new CopySampleWriter(quotedSchema, maxSamples) : new InsertSampleWriter(quotedSchema);
        this.histograms = new HistogramWriter(quotedSchema);
        this.watermarks = new SpoolWatermarkWriter(quotedSchema);
        this.cumulative = new CumulativeDeltas(quotedSchema);
        this.markers = markBatches ? new BatchMarkers(quotedSchema) : null;
        this.isolation = new RowIsolation(dataSource, quotedSchema, markers);
        this.order = orderRows ? new RowOrder() : null;
    }

    /**
     * Sends the samples not sent yet into the open transaction (starting one if needed) without committing.
     * Returns false, sending nothing, once a series without an id turns up in an open transaction: {@link #write}
     * restarts the transaction then, so streaming this batch any further is wasted. On failure the transaction is
     * rolled back and every sample counts as unsent again.
     *
     * @param deadlineNanos ({@link System#nanoTime()}) no network wait outlasts it, or {@link #NO_DEADLINE}
     */
    boolean stream(PendingBatch batch, long deadlineNanos) throws SQLException {
        if (open != null && batch.hasUnresolved(sent)) {
            return false;
        }
        if (batch.sampleCount == sent) {
            return true;
        }
        try {
            Connection connection = begin(batch, false, deadlineNanos);
            append(connection, batch.sampleTimes, batch.sampleIds(sent), batch.sampleValues, sent, batch.sampleCount);
            sent = batch.sampleCount;
            return true;
        } catch (Throwable e) {
            abort(e);
            throw e;
        }
    }

    /** {@link #write(PendingBatch, Map, long, long)} of a batch of no spooled record and no marker. */
    boolean write(PendingBatch batch, long deadlineNanos) throws SQLException {
        return write(batch, Map.of(), 0, deadlineNanos);
    }

    /**
     * Writes the batch without the rows the database refuses for their data, which go to {@code dead_letters}
     * ({@link RowIsolation}); after a {@link io.agstorage.core.ErrorPolicy.Verdict#DATA} failure of {@link #write}.
     */
    RowIsolation.Outcome isolate(PendingBatch batch, Map<UUID, SpoolPosition> spoolPositions, long batchId)
            throws SQLException {
        abort(null);
        return isolation.write(batch, spoolPositions, batchId);
    }

    /**
     * Sends the rest of the batch and commits it. On failure it is rolled back, and the whole batch can be written
     * again, except after a {@link CommitOutcomeUnknownException}: the connection failed once the commit was sent.
     * A batch with an id first inserts its marker, and a batch of spooled records moves its spools' positions, which
     * tells whether an earlier attempt committed it after all: then nothing is written and this returns false.
     *
     * @param spoolPositions how far each spool with entries in the batch gets with it; empty when none has
     * @param batchId the batch's id (the same for every attempt at it), or 0 for none
     * @param deadlineNanos ({@link System#nanoTime()}) no network wait outlasts it, or {@link #NO_DEADLINE}
     */
    boolean write(PendingBatch batch, Map<UUID, SpoolPosition> spoolPositions, long batchId, long deadlineNanos)
            throws SQLException {
        boolean marked = markers != null && batchId > 0;
        boolean spooled = !spoolPositions.isEmpty() || marked;
        if (open != null
                && (batch.hasUnresolved(sent) || needsExplicitTransaction(batch, spooled) && !explicitTransaction)) {
            abort(null);
        }
        Connection connection;
        try {
            connection = begin(batch, spooled, deadlineNanos);
            // First, so that it waits for an earlier attempt whose commit is still in doubt (it holds the row).
            if (marked && !markers.claim(connection, batchId)) {
                abort(null);
                return false;
            }
            if (!spoolPositions.isEmpty() && !watermarks.advance(connection, spoolPositions)) {
                abort(null);
                return false;
            }
            if (sent < batch.sampleCount) {
                append(
                        connection,
                        batch.sampleTimes,
                        batch.sampleIds(sent),
                        batch.sampleValues,
                        sent,
                        batch.sampleCount);
            }
            if (explicitTransaction) {
                samples.end();
                if (batch.cumulativeCount > 0) {
                    writeCumulative(connection, batch);
                }
                if (batch.histogramCount > 0) {
                    histograms.write(
                            connection,
                            batch.histogramTimes,
                            batch.histogramIds(),
                            batch.histograms,
                            batch.histogramCount);
                }
            }
        } catch (Throwable e) {
            abort(e);
            throw e;
        }
        // The commit: the end of an auto-committed COPY, or COMMIT. A lost connection here may follow the commit.
        try {
            if (explicitTransaction) {
                connection.commit();
            } else {
                samples.end();
            }
        } catch (SQLException e) {
            abort(e);
            throw Sql.isTransient(e) ? new CommitOutcomeUnknownException(e) : e;
        } catch (Throwable e) {
            abort(e);
            throw e;
        }
        releaseQuietly(connection);
        return true;
    }

    /** The deltas of the batch's cumulative points, computed against (and moving) their state in this transaction. */
    private void writeCumulative(Connection connection, PendingBatch batch) throws SQLException {
        cumulative.compute(connection, batch);
        try {
            if (cumulative.sampleCount > 0) {
                append(
                        connection,
                        cumulative.sampleTimes,
                        cumulative.sampleIds,
                        cumulative.sampleValues,
                        0,
                        cumulative.sampleCount);
                samples.end();
            }
            if (cumulative.histogramCount > 0) {
                histograms.write(
                        connection,
                        cumulative.histogramTimes,
                        cumulative.histogramIds,
                        cumulative.histograms,
                        cumulative.histogramCount);
            }
        } finally {
            cumulative.clear();
        }
    }

    /** Sends samples {@code [from, to)}, in the order of the samples index when this store orders its rows. */
    private void append(Connection connection, long[] times, long[] ids, double[] values, int from, int to)
            throws SQLException {
        RowOrder rows = order;
        if (rows != null && rows.sort(times, ids, values, from, to)) {
            samples.append(connection, rows.times, rows.ids, rows.values, 0, to - from);
        } else {
            samples.append(connection, times, ids, values, from, to);
        }
    }

    /** Rolls back and returns an open transaction, if any. */
    void discard() {
        abort(null);
    }

    /**
     * Makes sure a transaction is open, resolving the batch's new series first (auto-committed). It is explicit
     * unless the batch so far is samples that go in one statement.
     */
    private Connection begin(PendingBatch batch, boolean spooled, long deadlineNanos) throws SQLException {
        if (open != null) {
            return open;
        }
        Connection connection = dataSource.getConnection();
        try {
            if (deadlineNanos != NO_DEADLINE) {
                // A half-open connection must not hold the caller past its deadline.
                long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
                if (remainingMs <= 0) {
                    throw new SQLTimeoutException(
                            "the write's deadline passed while waiting for a connection", "57014");
                }
                restoreNetworkTimeoutMs = connection.getNetworkTimeout();
                connection.setNetworkTimeout(Runnable::run, (int) Math.min(Integer.MAX_VALUE, remainingMs));
            }
            List<SeriesRef> unresolved = batch.unresolvedSeries();
            if (!unresolved.isEmpty()) {
                resolver.resolve(connection, unresolved);
            }
            explicitTransaction = needsExplicitTransaction(batch, spooled);
            if (explicitTransaction) {
                connection.setAutoCommit(false);
            }
        } catch (Throwable e) {
            open = connection;
            abort(e);
            throw e;
        }
        open = connection;
        return connection;
    }

    private boolean needsExplicitTransaction(PendingBatch batch, boolean spooled) {
        return batch.histogramCount > 0 || batch.cumulativeCount > 0 || spooled || !samples.appendsFormOneStatement();
    }

    /** Rolls back and returns the open transaction's connection; {@code cause} collects secondary failures. */
    private void abort(@Nullable Throwable cause) {
        Connection connection = open;
        boolean broken = connection != null && BrokenConnections.isBroken(cause);
        if (broken) {
            // A silent network: close the socket now, so that neither the COPY's cancel nor the ROLLBACK waits on it.
            BrokenConnections.discard(connection);
        }
        samples.abort();
        if (connection == null) {
            return;
        }
        try {
            if (!broken && explicitTransaction && !connection.getAutoCommit()) {
                connection.rollback();
            }
        } catch (SQLException e) {
            if (cause != null) {
                cause.addSuppressed(e);
            }
        }
        try {
            release(connection);
        } catch (SQLException e) {
            if (cause != null) {
                cause.addSuppressed(e);
            }
        }
    }

    /** After a commit: the data is in, so a failure to reset or return the connection is no failure of the write. */
    private void releaseQuietly(Connection connection) {
        try {
            release(connection);
        } catch (SQLException e) {
            // The pool discards a connection it cannot reset.
        }
    }

    private void release(Connection connection) throws SQLException {
        open = null;
        sent = 0;
        int networkTimeout = restoreNetworkTimeoutMs;
        restoreNetworkTimeoutMs = -1;
        try (connection) {
            if (networkTimeout >= 0) {
                connection.setNetworkTimeout(Runnable::run, networkTimeout);
            }
            if (!connection.getAutoCommit()) {
                connection.setAutoCommit(true);
            }
        }
    }
}
