package io.agstorage.core.writer;

import io.agstorage.core.internal.Time;
import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Binary {@code COPY samples FROM STDIN}: each row is 38 bytes (field count, then three length-prefixed
 * 8-byte fields), encoded into one reused buffer with no per-row allocation.
 */
final class CopySampleWriter implements SampleWriter {

    private static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0};
    private static final int ROW_BYTES = 2 + 3 * (4 + 8);
    private static final int CHUNK_ROWS = 4_096;

    private final String copySql;
    private final byte[] buffer = new byte[CHUNK_ROWS * ROW_BYTES + HEADER.length + 2];

    CopySampleWriter(String quotedSchema) {
        this.copySql = "COPY " + quotedSchema + ".samples (time, series_id, value) FROM STDIN (FORMAT binary)";
    }

    @Override
    public void write(Connection connection, long[] epochMicros, long[] seriesIds, double[] values, int n) throws SQLException {
        CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql);
        try {
            System.arraycopy(HEADER, 0, buffer, 0, HEADER.length);
            int pos = HEADER.length;
            for (int i = 0; i < n; i++) {
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
            if (pos + 2 > buffer.length) {
                copy.writeToCopy(buffer, 0, pos);
                pos = 0;
            }
            pos = putShort(buffer, pos, -1);
            copy.writeToCopy(buffer, 0, pos);
            copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
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
