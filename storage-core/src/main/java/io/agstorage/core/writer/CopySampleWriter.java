package io.agstorage.core.writer;

import io.agstorage.core.internal.Time;
import java.sql.Connection;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Binary {@code COPY samples FROM STDIN}, kept open across appends: each row is 38 bytes (field count, then
 * three length-prefixed 8-byte fields), encoded into one reused buffer with no per-row allocation, and each
 * append is flushed to the server so it inserts while the next rows are produced.
 */
final class CopySampleWriter implements SampleWriter {

    private static final byte[] HEADER = {
        'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0
    };
    private static final int ROW_BYTES = 2 + 3 * (4 + 8);
    private static final int CHUNK_ROWS = 4_096;

    private final String copySql;
    private final byte[] buffer;
    private @Nullable CopyIn copy;

    /** @param maxRows the most rows one statement will carry; a smaller buffer serves small writes */
    CopySampleWriter(String quotedSchema, int maxRows) {
        this.copySql = "COPY " + quotedSchema + ".samples (time, series_id, value) FROM STDIN (FORMAT binary)";
        this.buffer = new byte[Math.max(1, Math.min(maxRows, CHUNK_ROWS)) * ROW_BYTES + HEADER.length + 2];
    }

    @Override
    public void append(Connection connection, long[] epochMicros, long[] seriesIds, double[] values, int from, int to)
            throws SQLException {
        int pos = 0;
        if (copy == null) {
            copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql);
            System.arraycopy(HEADER, 0, buffer, 0, HEADER.length);
            pos = HEADER.length;
        }
        for (int i = from; i < to; i++) {
            if (pos + ROW_BYTES > buffer.length) {
                copy.writeToCopy(buffer, 0, pos);
                pos = 0;
            }
            pos = putShort(buffer, pos, 3);
            pos = putInt(buffer, pos, 8);
            pos = putLong(buffer, pos, epochMicros[i] - Time.POSTGRES_EPOCH_OFFSET_MICROS);
            pos = putInt(buffer, pos, 8);
            pos = putLong(buffer, pos, seriesIds[i]);
            pos = putInt(buffer, pos, 8);
            pos = putLong(buffer, pos, Double.doubleToRawLongBits(values[i]));
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
        putShort(buffer, 0, -1);
        open.writeToCopy(buffer, 0, 2);
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

    private static int putShort(byte[] b, int pos, int v) {
        b[pos] = (byte) (v >>> 8);
        b[pos + 1] = (byte) v;
        return pos + 2;
    }

    private static int putInt(byte[] b, int pos, int v) {
        b[pos] = (byte) (v >>> 24);
        b[pos + 1] = (byte) (v >>> 16);
        b[pos + 2] = (byte) (v >>> 8);
        b[pos + 3] = (byte) v;
        return pos + 4;
    }

    private static int putLong(byte[] b, int pos, long v) {
        putInt(b, pos, (int) (v >>> 32));
        putInt(b, pos + 4, (int) v);
        return pos + 8;
    }
}
