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

/** Writes one batch: resolves new series, then samples and histograms in one transaction. */
public final class SampleStore {

    private final DataSource dataSource;
    private final SeriesResolver resolver;
    private final SampleWriter samples;
    private final HistogramWriter histograms;

    /** @param useCopy binary COPY for samples when true, multi-row INSERT otherwise */
    public SampleStore(DataSource dataSource, String quotedSchema, boolean useCopy) {
        this.dataSource = dataSource;
        this.resolver = new SeriesResolver(quotedSchema);
        this.samples = useCopy ? new CopySampleWriter(quotedSchema) : new InsertSampleWriter(quotedSchema);
        this.histograms = new HistogramWriter(quotedSchema);
    }

    void write(PendingBatch batch) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            resolveNewSeries(connection, batch);
            connection.setAutoCommit(false);
            try {
                if (batch.sampleCount > 0) {
                    long[] ids = batch.sampleIds();
                    samples.write(connection, batch.sampleTimes, ids, batch.sampleValues, batch.sampleCount);
                }
                if (batch.histogramCount > 0) {
                    histograms.write(connection, batch.histogramTimes, batch.histogramIds(), batch.histograms, batch.histogramCount);
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(connection, e);
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    private void resolveNewSeries(Connection connection, PendingBatch batch) throws SQLException {
        Map<SeriesRef, Boolean> unresolved = new IdentityHashMap<>();
        for (int i = 0; i < batch.sampleCount; i++) {
            if (batch.sampleSeries[i].id() == 0) {
                unresolved.put(batch.sampleSeries[i], Boolean.TRUE);
            }
        }
        for (int i = 0; i < batch.histogramCount; i++) {
            if (batch.histogramSeries[i].id() == 0) {
                unresolved.put(batch.histogramSeries[i], Boolean.TRUE);
            }
        }
        if (!unresolved.isEmpty()) {
            List<SeriesRef> pending = new ArrayList<>(unresolved.keySet());
            resolver.resolve(connection, pending);
        }
    }

    private static void rollbackQuietly(Connection connection, Exception cause) {
        try {
            connection.rollback();
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

        long[] sampleIds() {
            for (int i = 0; i < sampleCount; i++) {
                sampleIds[i] = sampleSeries[i].id();
            }
            return sampleIds;
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
