package io.agstorage.core.internal.writer;

import io.agstorage.core.internal.Time;

/**
 * PostgreSQL's binary COPY format ({@code PGCOPY}) of {@code samples (time, series_id, value)} rows, written into a
 * caller's buffer with no allocation: the 19-byte header, rows of 38 bytes (field count 3, then each field as its
 * length 8 and its big-endian value: {@code timestamptz} as microseconds since 2000-01-01, {@code int8},
 * {@code float8}) and the 2-byte trailer.
 */
final class SampleCopyFormat {

    static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0
    };
    static final int ROW_BYTES = 2 + 3 * (4 + 8);
    static final int TRAILER_BYTES = 2;

    private SampleCopyFormat() {}

    /** Writes the header at {@code pos}; returns the position after it. */
    static int putHeader(byte[] b, int pos) {
        System.arraycopy(HEADER, 0, b, pos, HEADER.length);
        return pos + HEADER.length;
    }

    /** Writes one row at {@code pos} ({@code epochMicros} since 1970); returns the position after it. */
    static int putRow(byte[] b, int pos, long epochMicros, long seriesId, double value) {
        pos = putShort(b, pos, 3);
        pos = putInt(b, pos, 8);
        pos = putLong(b, pos, epochMicros - Time.POSTGRES_EPOCH_OFFSET_MICROS);
        pos = putInt(b, pos, 8);
        pos = putLong(b, pos, seriesId);
        pos = putInt(b, pos, 8);
        return putLong(b, pos, Double.doubleToRawLongBits(value));
    }

    /** Writes the trailer (field count -1) at {@code pos}; returns the position after it. */
    static int putTrailer(byte[] b, int pos) {
        return putShort(b, pos, -1);
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
