package io.agstorage.core.journal;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link Journal} found when it opened.
 *
 * @param segments segment files read
 * @param records valid records replayed (those after the last {@link Journal#trim} checkpoint)
 * @param skipped valid records not replayed because a {@link Journal#trim} had covered them (kept on disk only
 *     because segments are deleted whole)
 * @param corruptions damaged regions found; each was cut off after its valid prefix and kept beside the
 *     segment as a {@code .corrupt} file for inspection
 * @param quarantined records with a valid checksum that the {@link ReplayHandler} could not decode
 *     ({@link UndecodableRecordException}); each was copied aside and not replayed, the records after it were
 */
public record JournalRecovery(
        int segments, long records, long skipped, List<Corruption> corruptions, List<Quarantined> quarantined) {

    public JournalRecovery {
        corruptions = List.copyOf(corruptions);
        quarantined = List.copyOf(quarantined);
    }

    /** Whether every byte of every segment was valid (a quarantined record is: its reader could not decode it). */
    public boolean clean() {
        return corruptions.isEmpty();
    }

    /**
     * A damaged region of one segment.
     *
     * @param segment the segment file
     * @param offset where the first invalid record starts; the bytes before it were kept
     * @param discardedBytes how many bytes from {@code offset} to the end of the file were cut off
     * @param reason what was wrong, e.g. {@code checksum mismatch} or {@code torn record}
     * @param savedAs where the discarded bytes were saved, or null when saving them failed
     */
    public record Corruption(
            Path segment,
            long offset,
            long discardedBytes,
            String reason,
            @org.jspecify.annotations.Nullable Path savedAs) {}

    /**
     * A record the {@link ReplayHandler} could not decode.
     *
     * @param sequence the record's sequence
     * @param savedAs the file holding its payload, {@code quarantine-<sequence, 20 digits>.rec} beside the segments
     * @param reason the handler's {@link UndecodableRecordException} message
     */
    public record Quarantined(long sequence, Path savedAs, String reason) {}
}
