package io.agstorage.core.internal;

import io.agstorage.core.HistogramPoint;
import io.agstorage.core.MetricType;
import io.agstorage.core.SampleBatch;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * What a spool ({@code io.agstorage.core.spool.SampleSpool}) needs of its engine beyond the engine's public API:
 * submitting a spooled record with its position, reading a spool's committed position back, and finding the series
 * a replayed record names. One per engine, from {@code StorageEngine.spoolTarget()}; thread-safe.
 */
public interface SpoolTarget {

    /**
     * Entries as parallel arrays: entry {@code i} is a histogram where {@code histograms[i]} is set, else a sample
     * of {@code values[i]}; cumulative when {@code cumulative[i]} is not {@link Cumulative#NONE}. The arrays may be
     * longer than {@code size}; they are shared, not copied.
     */
    record Entries(
            SeriesRef[] series,
            long[] times,
            double[] values,
            @Nullable HistogramPoint[] histograms,
            long @Nullable [] cumulative,
            int size) {}

    /** The entries of {@code batch}, sharing its arrays: valid until the batch changes. */
    Entries entries(SampleBatch batch);

    /**
     * Submits the entries of one spooled record (of {@code spool}, sequence {@code sequence}, from its first entry),
     * waiting for room in the buffer until {@code deadlineNanos} ({@link System#nanoTime()}); null when there was none
     * by then. The writer may hold spooled data a few milliseconds for more, so that it goes in large statements; the
     * spool's position is committed in the same transaction as the rows. The future completes when every entry is
     * committed. Records of one spool must be submitted in sequence order.
     *
     * @throws IllegalArgumentException when {@code entries} is empty
     * @throws IllegalStateException when the engine is closed
     */
    @Nullable
    CompletableFuture<Long> trySubmitSpooled(Entries entries, UUID spool, long sequence, long deadlineNanos);

    /**
     * {@link #trySubmitSpooled} of a record's entries from {@code firstEntry} on (a replay may resume a record),
     * waiting up to {@code ingestion.write_timeout_ms} for room; the future fails when there was none.
     */
    CompletableFuture<Long> submitSpooled(Entries entries, UUID spool, long sequence, int firstEntry);

    /** How far a spool's records are committed ({@code spool_watermarks}); {@link SpoolPosition#NONE} if not at all. */
    SpoolPosition spoolPosition(UUID spool);

    /**
     * The engine's series of this name and labels, as {@code StorageEngine.series} gives it.
     *
     * @throws IllegalArgumentException when the name or a label breaks a rule
     */
    SeriesRef series(
            String metric,
            Map<String, String> labels,
            MetricType type,
            @Nullable String unit,
            @Nullable String temporality);

    /**
     * The series of these database ids, interned in the engine and carrying their ids; ids the database does not
     * hold are absent from the map.
     */
    Map<Long, SeriesRef> seriesByIds(long[] ids);
}
