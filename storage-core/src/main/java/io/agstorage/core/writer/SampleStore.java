package io.agstorage.core.writer;

import io.agstorage.core.HistogramPoint;
import io.agstorage.core.Sql;
import io.agstorage.core.internal.SeriesRef;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Writes one batch (the writer thread's, or one direct write's) in one transaction. {@link #stream} sends samples
 * that have arrived so far into an open transaction while more are on their way; {@link #write} sends the rest,
 * adds the histograms and commits. A batch of samples alone, written by binary COPY, is one auto-committed COPY
 * statement (no BEGIN and COMMIT round trips); anything else runs in an explicit transaction. New series are
 * resolved (and committed) before the transaction that first references them starts; series that appear once it
 * is open restart it, so a sample never references an uncommitted series. Used by one thread at a time.
 */
public final class SampleStore {

    /** No deadline: the connection keeps the pool's network timeout. */
    static final long NO_DEADLINE = Long.MAX_VALUE;

    private final DataSource dataSource;
    private final SeriesResolver resolver;
    private final SampleWriter samples;
    private final HistogramWriter histograms;
    private final SpoolWatermarkWriter watermarks;
    private @Nullable Connection open;
    private int restoreNetworkTimeoutMs = -1;
    private boolean explicitTransaction;
    private int sent;

    /** @param useCopy binary COPY for samples when true, multi-row INSERT otherwise */
    public SampleStore(DataSource dataSource, String quotedSchema, boolean useCopy) {
        this(dataSource, quotedSchema, useCopy, Integer.MAX_VALUE);
    }

    /** @param maxSamples the most samples one batch will hold (sizes the COPY buffer) */
    SampleStore(DataSource dataSource, String quotedSchema, boolean useCopy, int maxSamples) {
        this.dataSource = dataSource;
        this.resolver = new SeriesResolver(quotedSchema);
        this.samples = useCopy ? new CopySampleWriter(quotedSchema, maxSamples) : new InsertSampleWriter(quotedSchema);
        this.histograms = new HistogramWriter(quotedSchema);
        this.watermarks = new SpoolWatermarkWriter(quotedSchema);
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
            Connection connection = begin(batch, deadlineNanos);
            samples.append(
                    connection, batch.sampleTimes, batch.sampleIds(sent), batch.sampleValues, sent, batch.sampleCount);
            sent = batch.sampleCount;
            return true;
        } catch (Throwable e) {
            abort(e);
            throw e;
        }
    }

    /** {@link #write(PendingBatch, long)} without a deadline. */
    boolean write(PendingBatch batch) throws SQLException {
        return write(batch, NO_DEADLINE);
    }

    /**
     * Sends the rest of the batch and commits it. On failure it is rolled back, and the whole batch can be written
     * again, except after a {@link CommitOutcomeUnknownException}: the connection failed once the commit was sent.
     * A batch of spooled records first moves its spools' positions, which tells whether an earlier attempt committed
     * it after all: then nothing is written and this returns false.
     */
    boolean write(PendingBatch batch, long deadlineNanos) throws SQLException {
        if (open != null && (batch.hasUnresolved(sent) || needsExplicitTransaction(batch) && !explicitTransaction)) {
            abort(null);
        }
        Connection connection;
        try {
            connection = begin(batch, deadlineNanos);
            // First, so that it waits for an earlier attempt whose commit is still in doubt (it holds the row).
            if (batch.hasSpoolRecords() && !watermarks.advance(connection, batch.spoolPositions())) {
                abort(null);
                return false;
            }
            if (sent < batch.sampleCount) {
                samples.append(
                        connection,
                        batch.sampleTimes,
                        batch.sampleIds(sent),
                        batch.sampleValues,
                        sent,
                        batch.sampleCount);
            }
            if (explicitTransaction) {
                samples.end();
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

    /** Rolls back and returns an open transaction, if any. */
    void discard() {
        abort(null);
    }

    /**
     * Makes sure a transaction is open, resolving the batch's new series first (auto-committed). It is explicit
     * unless the batch so far is samples that go in one statement.
     */
    private Connection begin(PendingBatch batch, long deadlineNanos) throws SQLException {
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
            explicitTransaction = needsExplicitTransaction(batch);
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

    private boolean needsExplicitTransaction(PendingBatch batch) {
        return batch.histogramCount > 0 || batch.hasSpoolRecords() || !samples.appendsFormOneStatement();
    }

    /** Rolls back and returns the open transaction's connection; {@code cause} collects secondary failures. */
    private void abort(@Nullable Throwable cause) {
        samples.abort();
        Connection connection = open;
        if (connection == null) {
            return;
        }
        try {
            if (explicitTransaction && !connection.getAutoCommit()) {
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

    /** A spooled record whose entries the writer is collecting; {@code entries}: its index after the last one seen. */
    static final class SpoolRecord {
        final UUID spool;
        final long sequence;
        final CompletableFuture<Long> committed;
        int entries;

        SpoolRecord(UUID spool, long sequence, int firstEntry, CompletableFuture<Long> committed) {
            this.spool = spool;
            this.sequence = sequence;
            this.entries = firstEntry;
            this.committed = committed;
        }
    }

    /** The writer's reusable batch: parallel primitive arrays, grown once to the batch size. */
    static final class PendingBatch {
        SeriesRef[] sampleSeries;
        long[] sampleTimes;
        double[] sampleValues;
        private long[] sampleIds;
        int sampleCount;
        SeriesRef[] histogramSeries = new SeriesRef[16];
        long[] histogramTimes = new long[16];
        HistogramPoint[] histograms = new HistogramPoint[16];
        private long[] histogramIds = new long[16];
        int histogramCount;
        /** The spooled records with entries in this batch, in ring order. */
        private final List<SpoolRecord> spoolRecords = new ArrayList<>();

        private final List<SpoolRecord> spoolRecordsDone = new ArrayList<>();

        PendingBatch(int capacity) {
            sampleSeries = new SeriesRef[capacity];
            sampleTimes = new long[capacity];
            sampleValues = new double[capacity];
            sampleIds = new long[capacity];
        }

        void addSample(SeriesRef series, long epochMicros, double value) {
            sampleSeries[sampleCount] = series;
            sampleTimes[sampleCount] = epochMicros;
            sampleValues[sampleCount] = value;
            sampleCount++;
        }

        void addHistogram(SeriesRef series, long epochMicros, HistogramPoint point) {
            if (histogramCount == histograms.length) {
                int grown = histogramCount * 2;
                histogramSeries = java.util.Arrays.copyOf(histogramSeries, grown);
                histogramTimes = java.util.Arrays.copyOf(histogramTimes, grown);
                histograms = java.util.Arrays.copyOf(histograms, grown);
                histogramIds = new long[grown];
            }
            histogramSeries[histogramCount] = series;
            histogramTimes[histogramCount] = epochMicros;
            histograms[histogramCount] = point;
            histogramCount++;
        }

        /** An entry of {@code record} was just added (the record's entries arrive in ring order, together). */
        void spooled(SpoolRecord record) {
            if (spoolRecords.isEmpty() || spoolRecords.get(spoolRecords.size() - 1) != record) {
                spoolRecords.add(record);
            }
        }

        boolean hasSpoolRecords() {
            return !spoolRecords.isEmpty();
        }

        /** Each spool's furthest position in this batch, as of now: its last record here and that record's entries so far. */
        Map<UUID, SpoolPosition> spoolPositions() {
            Map<UUID, SpoolPosition> positions = new HashMap<>();
            for (SpoolRecord r : spoolRecords) {
                positions.put(r.spool, new SpoolPosition(r.sequence, r.entries));
            }
            return positions;
        }

        /** The last entry of {@code record} is in this batch: its future completes when the batch is committed. */
        void spoolRecordDone(SpoolRecord record) {
            spoolRecordsDone.add(record);
        }

        /** Completes the records whose last entry was in this batch: committed, or (when {@code failure} is set) not. */
        void completeSpoolRecords(long committed, @Nullable Exception failure) {
            for (SpoolRecord r : spoolRecordsDone) {
                if (failure != null) {
                    r.committed.completeExceptionally(failure);
                } else {
                    r.committed.complete(committed);
                }
            }
        }

        boolean isFull() {
            return sampleCount == sampleSeries.length;
        }

        boolean isEmpty() {
            return sampleCount == 0 && histogramCount == 0;
        }

        int size() {
            return sampleCount + histogramCount;
        }

        /** Database ids of samples {@code [from, sampleCount)}, in an array indexed like the samples. */
        long[] sampleIds(int from) {
            for (int i = from; i < sampleCount; i++) {
                sampleIds[i] = sampleSeries[i].id();
            }
            return sampleIds;
        }

        /** Whether a sample from {@code from} on, or any histogram, has a series without a database id. */
        boolean hasUnresolved(int from) {
            for (int i = from; i < sampleCount; i++) {
                if (sampleSeries[i].id() == 0) {
                    return true;
                }
            }
            for (int i = 0; i < histogramCount; i++) {
                if (histogramSeries[i].id() == 0) {
                    return true;
                }
            }
            return false;
        }

        /** The distinct series of this batch that have no database id yet. */
        List<SeriesRef> unresolvedSeries() {
            if (!hasUnresolved(0)) {
                return List.of();
            }
            Map<SeriesRef, Boolean> unresolved = new IdentityHashMap<>();
            for (int i = 0; i < sampleCount; i++) {
                if (sampleSeries[i].id() == 0) {
                    unresolved.put(sampleSeries[i], Boolean.TRUE);
                }
            }
            for (int i = 0; i < histogramCount; i++) {
                if (histogramSeries[i].id() == 0) {
                    unresolved.put(histogramSeries[i], Boolean.TRUE);
                }
            }
            return new ArrayList<>(unresolved.keySet());
        }

        long[] histogramIds() {
            for (int i = 0; i < histogramCount; i++) {
                histogramIds[i] = histogramSeries[i].id();
            }
            return histogramIds;
        }

        void clear() {
            java.util.Arrays.fill(sampleSeries, 0, sampleCount, null);
            java.util.Arrays.fill(histogramSeries, 0, histogramCount, null);
            java.util.Arrays.fill(histograms, 0, histogramCount, null);
            sampleCount = 0;
            histogramCount = 0;
            spoolRecords.clear();
            spoolRecordsDone.clear();
        }
    }
}
