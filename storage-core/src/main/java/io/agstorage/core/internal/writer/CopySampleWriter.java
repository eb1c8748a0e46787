package io.agstorage.core.internal.writer;

import java.sql.Connection;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Binary {@code COPY samples FROM STDIN}, kept open across appends: each row is 38 bytes (field count, then
 * three length-prefixed 8-byte fields; see {@link SampleCopyFormat}), encoded into one reused buffer with no per-row
 * allocation, and each append is flushed to the server so it inserts while the next rows are produced.
 */
final class CopySampleWriter implements SampleWriter {

    private static final int ROW_BYTES = SampleCopyFormat.ROW_BYTES;
    private static final int CHUNK_ROWS = 4_096;

    private final String copySql;
    private final byte[] buffer;
    private @Nullable CopyIn copy;

    /** @param maxRows the most rows one statement will carry; a smaller buffer serves small writes */
    CopySampleWriter(String quotedSchema, int maxRows) {
        this.copySql = "COPY " + quotedSchema + ".samples (time, series_id, value) FROM STDIN (FORMAT binary)";
        this.buffer = new byte
                [Math.max(1, Math.min(maxRows, CHUNK_ROWS)) * ROW_BYTES
                        + SampleCopyFormat.HEADER.length
                        + SampleCopyFormat.TRAILER_BYTES];
    }

    @Override
    public void append(Connection connection, long[] epochMicros, long[] seriesIds, double[] values, int from, int to)
            throws SQLException {
        int pos = 0;
        if (copy == null) {
            copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql);
            pos = SampleCopyFormat.putHeader(buffer, 0);
        }
        for (int i = from; i < to; i++) {
            if (pos + ROW_BYTES > buffer.length) {
                copy.writeToCopy(buffer, 0, pos);
                pos = 0;
            }
            pos = SampleCopyFormat.putRow(buffer, pos, epochMicros[i], seriesIds[i], values[i]);
        }
        copy.writeToCopy(buffer, 0, pos);
        copy.flushCopy();
    }

    @Override
    public boolean appendsFormOneStatement() {
        return true;
    }

    @Override
    public void end() throws SQLException {
        if (copy == null) {
            return;
        }
        CopyIn open = copy;
        copy = null;
        int end = SampleCopyFormat.putTrailer(buffer, 0);
        open.writeToCopy(buffer, 0, end);
        open.endCopy();
    }

    @Override
    public void abort() {
        CopyIn open = copy;
        copy = null;
        if (open != null && open.isActive()) {
            try {
                open.cancelCopy();
            } catch (SQLException e) {
                // The connection is rolled back and returned (or discarded) next; nothing more to do here.
            }
        }
    }
}
