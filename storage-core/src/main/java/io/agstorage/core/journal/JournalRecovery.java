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
 */
public record JournalRecovery(int segments, long records, long skipped, List<Corruption> corruptions) {

    public JournalRecovery {
        corruptions = List.copyOf(corruptions);
    }

    /** Whether every byte of every segment was valid. */
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
}
