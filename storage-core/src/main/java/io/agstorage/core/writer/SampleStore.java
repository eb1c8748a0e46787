package io.agstorage.core.writer;

import io.agstorage.core.HistogramPoint;
import io.agstorage.core.internal.SeriesRef;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Writes one batch (the writer thread's, or one direct write's) in one transaction. {@link #stream} sends samples that have arrived so far into an
 * open transaction while more are on their way; {@link #write} sends the rest, adds the histograms and commits.
 * A batch of samples alone, written by binary COPY, is one auto-committed COPY statement (no BEGIN and COMMIT
 * round trips); anything else runs in an explicit transaction. New series are resolved (and committed) before
 * the transaction that first references them starts; series that appear once it is open restart it, so a
 * sample never references an uncommitted series.
 */
public final class SampleStore {

    private final DataSource dataSource;
    private final SeriesResolver resolver;
    private final SampleWriter samples;
    private final HistogramWriter histograms;
    private @Nullable Connection open;
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
    }

    /**
     * Sends the samples not sent yet into the open transaction (starting one if needed) without committing.
     * Does nothing once a series without an id turns up in an open transaction: {@link #write} restarts it then.
     * On failure the transaction is rolled back and every sample counts as unsent again.
     */
    void stream(PendingBatch batch) throws SQLException {
        if (batch.sampleCount == sent || open != null && batch.hasUnresolved(sent)) {
            return;
        }
        try {
            Connection connection = begin(batch);
            samples.append(connection, batch.sampleTimes, batch.sampleIds(sent), batch.sampleValues, sent, batch.sampleCount);
            sent = batch.sampleCount;
        } catch (SQLException | RuntimeException e) {
            abort(e);
            throw e;
        }
    }

    /** Sends the rest of the batch and commits it; on failure rolls back, and the whole batch can be written again. */
    void write(PendingBatch batch) throws SQLException {
        if (open != null && (batch.hasUnresolved(sent) || batch.histogramCount > 0 && !explicitTransaction)) {
            abort(null);
        }
        try {
            Connection connection = begin(batch);
            if (sent < batch.sampleCount) {
                samples.append(connection, batch.sampleTimes, batch.sampleIds(sent), batch.sampleValues, sent, batch.sampleCount);
            }
            samples.end();
            if (batch.histogramCount > 0) {
                histograms.write(connection, batch.histogramTimes, batch.histogramIds(), batch.histograms, batch.histogramCount);
            }
            if (explicitTransaction) {
                connection.commit();
            }
            release(connection);
        } catch (SQLException | RuntimeException e) {
            abort(e);
            throw e;
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
    private Connection begin(PendingBatch batch) throws SQLException {
        if (open != null) {
            return open;
        }
        Connection connection = dataSource.getConnection();
        try {
            List<SeriesRef> unresolved = batch.unresolvedSeries();
            if (!unresolved.isEmpty()) {
                resolver.resolve(connection, unresolved);
            }
            explicitTransaction = batch.histogramCount > 0 || !samples.appendsFormOneStatement();
            if (explicitTransaction) {
                connection.setAutoCommit(false);
            }
        } catch (SQLException | RuntimeException e) {
            closeQuietly(connection, e);
            throw e;
        }
        open = connection;
        return connection;
    }

    /** Rolls back and returns the open transaction's connection; {@code cause} collects secondary failures. */
    private void abort(@Nullable Exception cause) {
        samples.abort();
        Connection connection = open;
        if (connection == null) {
            return;
        }
        try {
            if (explicitTransaction) {
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

    private void release(Connection connection) throws SQLException {
        open = null;
        sent = 0;
        try (connection) {
            if (explicitTransaction) {
                connection.setAutoCommit(true);
            }
        }
    }

    private static void closeQuietly(Connection connection, Exception cause) {
        try {
            connection.close();
        } catch (SQLException e) {
            cause.addSuppressed(e);
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
        }
    }
}
