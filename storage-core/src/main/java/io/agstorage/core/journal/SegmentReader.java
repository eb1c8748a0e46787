package io.agstorage.core.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.zip.CRC32C;

/**
 * Reads records back from a live journal's segments, for a reader that follows the appends: one segment at a time, so
 * its memory is bounded by the segment size. Unlike {@link SegmentScanner} it repairs nothing: it stops at the first
 * record it cannot read (the writer may be in the middle of it).
 */
final class SegmentReader {

    private SegmentReader() {}

    /**
     * Hands {@code handler} the records with {@code from <= sequence <= last} of the segment holding {@code from}, in
     * order; returns how many it handed (0 when that segment is gone or holds none).
     */
    static int read(Path directory, long from, long last, ReplayHandler handler) throws IOException {
        Path file = null;
        long fileFirst = Long.MIN_VALUE;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(directory, "segment-*.journal")) {
            for (Path p : ds) {
                Matcher m = Segment.NAME.matcher(p.getFileName().toString());
                if (m.matches()) {
                    long first = Long.parseLong(m.group(1));
                    if (first <= from && first > fileFirst) {
                        file = p;
                        fileFirst = first;
                    }
                }
            }
        }
        if (file == null) {
            return 0;
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return 0; // trimmed meanwhile
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        byte[] magic = Segment.MAGIC;
        if (bytes.length < magic.length || !Arrays.equals(bytes, 0, magic.length, magic, 0, magic.length)) {
            return 0;
        }
        int handed = 0;
        int pos = magic.length;
        while (bytes.length - pos >= Segment.HEADER) {
            int length = buf.getInt(pos);
            long seq = buf.getLong(pos + 4);
            int payload = pos + Segment.HEADER;
            if (length < 0 || length > Journal.MAX_RECORD_BYTES || bytes.length - payload < length || seq > last) {
                break;
            }
            CRC32C c = new CRC32C();
            c.update(bytes, pos, 12);
            c.update(bytes, payload, length);
            if ((int) c.getValue() != buf.getInt(pos + 12)) {
                break;
            }
            if (seq >= from) {
                handler.accept(seq, Arrays.copyOfRange(bytes, payload, payload + length));
                handed++;
            }
            pos = payload + length;
        }
        return handed;
    }
}
