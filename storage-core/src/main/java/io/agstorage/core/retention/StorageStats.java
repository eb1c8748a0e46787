package io.agstorage.core.retention;

import java.util.List;

/**
 * The size of ag-storage's tables now, from {@link RetentionManager#getStorageStats()}.
 *
 * @param tables one entry per table, hypertable, rollup table or continuous aggregate that exists
 */
public record StorageStats(List<TableStats> tables) {

    private static final double GIB = 1024.0 * 1024.0 * 1024.0;

    public StorageStats {
        tables = List.copyOf(tables);
    }

    /**
     * One relation.
     *
     * @param table its name
     * @param kind {@code "hypertable"}, {@code "table"} or {@code "continuous aggregate"}
     * @param rows its rows, counted ({@code count(*)}, not a planner estimate)
     * @param tableBytes heap bytes (for a hypertable: of all its chunks, compressed ones included)
     * @param indexBytes index bytes
     * @param toastBytes TOAST bytes (on the TSL tier compressed chunks keep most of their data here)
     * @param compressionEnabled whether native compression is enabled on it
     * @param chunks its chunks (0 for a regular table)
     * @param compressedChunks how many of them are compressed
     */
    public record TableStats(
            String table,
            String kind,
            long rows,
            long tableBytes,
            long indexBytes,
            long toastBytes,
            boolean compressionEnabled,
            int chunks,
            int compressedChunks) {

        public long totalBytes() {
            return tableBytes + indexBytes + toastBytes;
        }
    }

    public long totalRows() {
        return tables.stream().mapToLong(TableStats::rows).sum();
    }

    public long totalBytes() {
        return tables.stream().mapToLong(TableStats::totalBytes).sum();
    }

    /** {@link #totalBytes()} in GiB. */
    public double totalSizeGb() {
        return totalBytes() / GIB;
    }

    /** The entry of {@code table}, or null when it does not exist. */
    public @org.jspecify.annotations.Nullable TableStats table(String table) {
        return tables.stream().filter(t -> t.table().equals(table)).findFirst().orElse(null);
    }
}
