package io.agstorage.core;

import io.agstorage.core.internal.Cumulative;
import io.agstorage.core.internal.PointRules;
import io.agstorage.core.internal.SeriesRef;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Samples and histograms of many series, submitted together with {@link StorageEngine#submit} (waits for room)
 * or {@link StorageEngine#trySubmit} (all or nothing, never waits). Registries and exporters fill one per
 * publish. Values must already be valid (finite, time in range): {@code add} refuses others by returning false.
 * Cumulative points ({@link #addCumulative}, {@link #addCumulativeHistogram}) are stored as their increase since the
 * series' previous point, computed by the writer in the transaction that stores it, against state kept in the
 * database: exact whichever process wrote the previous point, and a point at or before the last one adds nothing.
 * Not thread-safe; reusable after {@link #clear()}.
 */
public final class SampleBatch {

    private SeriesRef[] series;
    private long[] times;
    private double[] values;
    private @Nullable HistogramPoint[] histograms;
    private long @Nullable [] cumulative;
    private int size;
    private int histogramCount;

    public SampleBatch() {
        this(64);
    }

    public SampleBatch(int initialCapacity) {
        int capacity = Math.max(1, initialCapacity);
        series = new SeriesRef[capacity];
        times = new long[capacity];
        values = new double[capacity];
    }

    /** Adds a sample; returns false (adding nothing) when the value is not finite or the time is out of range. */
    public boolean add(MetricSeries s, long epochMicros, double value) {
        Objects.requireNonNull(s, "series");
        if (!PointRules.isStorable(value, epochMicros)) {
            return false;
        }
        ensureCapacity();
        series[size] = s.ref();
        times[size] = epochMicros;
        values[size] = value;
        if (histograms != null) {
            histograms[size] = null;
        }
        if (cumulative != null) {
            cumulative[size] = Cumulative.NONE;
        }
        size++;
        return true;
    }

    /**
     * Adds a cumulative sum point (the total since {@code startNanos}, epoch nanoseconds, 0 when unknown): the writer
     * stores its increase since the series' previous point, or nothing for a point at or before it. A new start time,
     * or a monotonic sum that dropped, is a reset: the whole value is the increase. Returns false (adding nothing) when
     * the value is not finite or the time is out of range.
     */
    public boolean addCumulative(MetricSeries s, long epochMicros, long startNanos, double value, boolean monotonic) {
        if (!add(s, epochMicros, value)) {
            return false;
        }
        markCumulative(Cumulative.of(startNanos, monotonic));
        return true;
    }

    /**
     * Adds a cumulative histogram snapshot (counts since {@code startNanos}): the writer stores the bucket-wise
     * increase since the series' previous snapshot (see {@link #addCumulative}); counts that dropped or another bucket
     * layout are a reset. Returns false when the time is out of range.
     */
    public boolean addCumulativeHistogram(MetricSeries s, long epochMicros, long startNanos, HistogramPoint histogram) {
        if (!addHistogram(s, epochMicros, histogram)) {
            return false;
        }
        markCumulative(Cumulative.of(startNanos, false));
        return true;
    }

    private void markCumulative(long marker) {
        if (cumulative == null) {
            cumulative = new long[series.length];
            Arrays.fill(cumulative, Cumulative.NONE);
        }
        cumulative[size - 1] = marker;
    }

    /** Adds a histogram snapshot; returns false when the time is out of range. */
    public boolean addHistogram(MetricSeries s, long epochMicros, HistogramPoint histogram) {
        Objects.requireNonNull(s, "series");
        Objects.requireNonNull(histogram, "histogram");
        if (!PointRules.isStorable(0, epochMicros)) {
            return false;
        }
        ensureCapacity();
        if (histograms == null) {
            histograms = new HistogramPoint[series.length];
        }
        series[size] = s.ref();
        times[size] = epochMicros;
        values[size] = 0;
        histograms[size] = histogram;
        if (cumulative != null) {
            cumulative[size] = Cumulative.NONE;
        }
        size++;
        histogramCount++;
        return true;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public void clear() {
        Arrays.fill(series, 0, size, null);
        if (histograms != null) {
            Arrays.fill(histograms, 0, size, null);
        }
        size = 0;
        histogramCount = 0;
    }

    private void ensureCapacity() {
        if (size == series.length) {
            int grown = size * 2;
            series = Arrays.copyOf(series, grown);
            times = Arrays.copyOf(times, grown);
            values = Arrays.copyOf(values, grown);
            if (histograms != null) {
                histograms = Arrays.copyOf(histograms, grown);
            }
            if (cumulative != null) {
                cumulative = Arrays.copyOf(cumulative, grown);
            }
        }
    }

    /**
     * Entries whose series the database does not hold yet, as far as this JVM knows (created since, or met again after
     * its id was last resolved more than the refresh interval ago): the writer inserts or looks those series up before
     * their rows, its slowest work.
     */
    public int entriesOfUnstoredSeries() {
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (series[i].id() == 0) {
                n++;
            }
        }
        return n;
    }

    SeriesRef[] seriesArray() {
        return series;
    }

    long[] timesArray() {
        return times;
    }

    double[] valuesArray() {
        return values;
    }

    @Nullable
    HistogramPoint[] histogramsArray() {
        return histograms;
    }

    /** The {@link Cumulative} markers of the entries, or null when none is cumulative. */
    long @Nullable [] cumulativeArray() {
        return cumulative;
    }
}
