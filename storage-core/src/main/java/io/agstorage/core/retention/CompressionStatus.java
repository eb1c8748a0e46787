package io.agstorage.core.retention;

import java.util.List;
import java.util.OptionalDouble;
import org.jspecify.annotations.Nullable;

/**
 * Native compression on the TSL tier, measured by TimescaleDB ({@code hypertable_compression_stats}); on the
 * Apache edition {@link #available()} is false and {@link #unavailableReason()} says why, never a made-up ratio.
 *
 * @param available whether this server can compress at all
 * @param unavailableReason why not, when it cannot
 * @param tables per compressible hypertable
 */
public record CompressionStatus(boolean available, @Nullable String unavailableReason, List<TableCompression> tables) {

    public CompressionStatus {
        tables = List.copyOf(tables);
    }

    /**
     * One hypertable.
     *
     * @param table its name
     * @param enabled whether compression is enabled on it
     * @param chunksTotal its chunks
     * @param chunksCompressed how many are compressed
     * @param bytesBefore the compressed chunks' size before compression (heap, indexes, TOAST)
     * @param bytesAfter their size after
     * @param rowsCompressed the rows in the compressed chunks, as counted when each was compressed
     */
    public record TableCompression(
            String table,
            boolean enabled,
            int chunksTotal,
            int chunksCompressed,
            long bytesBefore,
            long bytesAfter,
            long rowsCompressed) {

        /** Without the row count (0: bytes per row unknown). */
        public TableCompression(
                String table,
                boolean enabled,
                int chunksTotal,
                int chunksCompressed,
                long bytesBefore,
                long bytesAfter) {
            this(table, enabled, chunksTotal, chunksCompressed, bytesBefore, bytesAfter, 0);
        }

        /** bytes before / bytes after, when at least one chunk is compressed. */
        public OptionalDouble compressionRatio() {
            return bytesAfter > 0 ? OptionalDouble.of((double) bytesBefore / bytesAfter) : OptionalDouble.empty();
        }
    }

    static CompressionStatus unavailable(String reason) {
        return new CompressionStatus(false, reason, List.of());
    }

    public int chunksTotal() {
        return tables.stream().mapToInt(TableCompression::chunksTotal).sum();
    }

    public int chunksCompressed() {
        return tables.stream().mapToInt(TableCompression::chunksCompressed).sum();
    }

    public long bytesBefore() {
        return tables.stream().mapToLong(TableCompression::bytesBefore).sum();
    }

    public long bytesAfter() {
        return tables.stream().mapToLong(TableCompression::bytesAfter).sum();
    }

    /**
     * Bytes before / bytes after over every compressed chunk; empty when compression is unavailable or no chunk is
     * compressed yet (there is nothing to measure).
     */
    public OptionalDouble compressionRatio() {
        return available && bytesAfter() > 0
                ? OptionalDouble.of((double) bytesBefore() / bytesAfter())
                : OptionalDouble.empty();
    }

    /** The rows in compressed chunks, every table (a sample or a histogram row each). */
    public long rowsCompressed() {
        return tables.stream().mapToLong(TableCompression::rowsCompressed).sum();
    }

    /**
     * Bytes per row (sample or histogram) of the compressed chunks before compression, every table: what the rows
     * took uncompressed, with their indexes; empty when nothing is compressed or the rows were not counted.
     */
    public OptionalDouble bytesPerSampleBefore() {
        return rowsCompressed() > 0 && available
                ? OptionalDouble.of((double) bytesBefore() / rowsCompressed())
                : OptionalDouble.empty();
    }

    /** Bytes per row (sample or histogram) of the compressed chunks now; see {@link #bytesPerSampleBefore}. */
    public OptionalDouble bytesPerSampleAfter() {
        return rowsCompressed() > 0 && available
                ? OptionalDouble.of((double) bytesAfter() / rowsCompressed())
                : OptionalDouble.empty();
    }

    /** One line: the ratio, chunk counts and bytes per row, or the reason compression is unavailable. */
    public String describe() {
        if (!available) {
            return "compression unavailable: " + unavailableReason;
        }
        OptionalDouble ratio = compressionRatio();
        return chunksCompressed() + " of " + chunksTotal() + " chunks compressed, " + bytesBefore() + " -> "
                + bytesAfter() + " bytes"
                + (ratio.isPresent() ? String.format(java.util.Locale.ROOT, " (ratio %.2f)", ratio.getAsDouble()) : "")
                + (bytesPerSampleAfter().isPresent()
                        ? String.format(
                                java.util.Locale.ROOT,
                                ", %.1f -> %.1f bytes per sample",
                                bytesPerSampleBefore().getAsDouble(),
                                bytesPerSampleAfter().getAsDouble())
                        : "");
    }
}
