package io.agstorage.core.internal.writer;

import io.agstorage.core.HistogramPoint;
import io.agstorage.core.internal.SeriesRef;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A batch being written (the writer thread's, reused; or one direct write's): parallel primitive arrays. Cumulative
 * entries are kept apart: their deltas are computed in the transaction ({@link CumulativeDeltas}).
 */
final class PendingBatch {
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
    SeriesRef[] cumulativeSeries = new SeriesRef[16];
    long[] cumulativeTimes = new long[16];
    long[] cumulativeMarkers = new long[16];
    double[] cumulativeValues = new double[16];

    @Nullable
    HistogramPoint[] cumulativeHistograms = new HistogramPoint[16];

    int cumulativeCount;

    PendingBatch(int capacity) {
        sampleSeries = new SeriesRef[capacity];
        sampleTimes = new long[capacity];
        sampleValues = new double[capacity];
        sampleIds = new long[capacity];
    }

    void addSample(SeriesRef series, long epochMicros, double value) {
        if (sampleCount == sampleSeries.length) {
            int grown = Math.max(16, sampleCount * 2);
            sampleSeries = Arrays.copyOf(sampleSeries, grown);
            sampleTimes = Arrays.copyOf(sampleTimes, grown);
            sampleValues = Arrays.copyOf(sampleValues, grown);
            sampleIds = new long[grown];
        }
        sampleSeries[sampleCount] = series;
        sampleTimes[sampleCount] = epochMicros;
        sampleValues[sampleCount] = value;
        sampleCount++;
    }

    void addHistogram(SeriesRef series, long epochMicros, HistogramPoint point) {
        if (histogramCount == histograms.length) {
            int grown = histogramCount * 2;
            histogramSeries = Arrays.copyOf(histogramSeries, grown);
            histogramTimes = Arrays.copyOf(histogramTimes, grown);
            histograms = Arrays.copyOf(histograms, grown);
            histogramIds = new long[grown];
        }
        histogramSeries[histogramCount] = series;
        histogramTimes[histogramCount] = epochMicros;
        histograms[histogramCount] = point;
        histogramCount++;
    }

    /** A cumulative sum ({@code histogram} null) or histogram point with its {@code Cumulative} marker. */
    void addCumulative(
            SeriesRef series, long epochMicros, long marker, double value, @Nullable HistogramPoint histogram) {
        if (cumulativeCount == cumulativeSeries.length) {
            int grown = cumulativeCount * 2;
            cumulativeSeries = Arrays.copyOf(cumulativeSeries, grown);
            cumulativeTimes = Arrays.copyOf(cumulativeTimes, grown);
            cumulativeMarkers = Arrays.copyOf(cumulativeMarkers, grown);
            cumulativeValues = Arrays.copyOf(cumulativeValues, grown);
            cumulativeHistograms = Arrays.copyOf(cumulativeHistograms, grown);
        }
        cumulativeSeries[cumulativeCount] = series;
        cumulativeTimes[cumulativeCount] = epochMicros;
        cumulativeMarkers[cumulativeCount] = marker;
        cumulativeValues[cumulativeCount] = value;
        cumulativeHistograms[cumulativeCount] = histogram;
        cumulativeCount++;
    }

    /** How many of the cumulative entries are sums (the rest are histograms). */
    int cumulativeSampleCount() {
        int n = 0;
        for (int i = 0; i < cumulativeCount; i++) {
            if (cumulativeHistograms[i] == null) {
                n++;
            }
        }
        return n;
    }

    /** Whether the samples, or the cumulative points, number {@code limit} or more. */
    boolean isFull(int limit) {
        return sampleCount >= limit || cumulativeCount >= limit;
    }

    boolean isEmpty() {
        return sampleCount == 0 && histogramCount == 0 && cumulativeCount == 0;
    }

    int size() {
        return sampleCount + histogramCount + cumulativeCount;
    }

    /** Database ids of samples {@code [from, sampleCount)}, in an array indexed like the samples. */
    long[] sampleIds(int from) {
        for (int i = from; i < sampleCount; i++) {
            sampleIds[i] = sampleSeries[i].id();
        }
        return sampleIds;
    }

    /**
     * Whether a sample from {@code from} on, or any histogram, has a series without a database id, or with one to
     * resolve again ({@link SeriesRef#needsResolve}).
     */
    boolean hasUnresolved(int from) {
        long now = System.nanoTime();
        for (int i = from; i < sampleCount; i++) {
            if (sampleSeries[i].needsResolve(now)) {
                return true;
            }
        }
        for (int i = 0; i < histogramCount; i++) {
            if (histogramSeries[i].needsResolve(now)) {
                return true;
            }
        }
        for (int i = 0; i < cumulativeCount; i++) {
            if (cumulativeSeries[i].needsResolve(now)) {
                return true;
            }
        }
        return false;
    }

    /** The distinct series of this batch that have no database id yet, or one to resolve again. */
    List<SeriesRef> unresolvedSeries() {
        if (!hasUnresolved(0)) {
            return List.of();
        }
        long now = System.nanoTime();
        Map<SeriesRef, Boolean> unresolved = new IdentityHashMap<>();
        for (int i = 0; i < sampleCount; i++) {
            if (sampleSeries[i].needsResolve(now)) {
                unresolved.put(sampleSeries[i], Boolean.TRUE);
            }
        }
        for (int i = 0; i < histogramCount; i++) {
            if (histogramSeries[i].needsResolve(now)) {
                unresolved.put(histogramSeries[i], Boolean.TRUE);
            }
        }
        for (int i = 0; i < cumulativeCount; i++) {
            if (cumulativeSeries[i].needsResolve(now)) {
                unresolved.put(cumulativeSeries[i], Boolean.TRUE);
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
        Arrays.fill(sampleSeries, 0, sampleCount, null);
        Arrays.fill(histogramSeries, 0, histogramCount, null);
        Arrays.fill(histograms, 0, histogramCount, null);
        Arrays.fill(cumulativeSeries, 0, cumulativeCount, null);
        Arrays.fill(cumulativeHistograms, 0, cumulativeCount, null);
        sampleCount = 0;
        histogramCount = 0;
        cumulativeCount = 0;
    }
}
