package io.agstorage.core.journal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * One segment file of a {@link Journal}: its path and the sequences it holds ({@code lastSeq < firstSeq} while it
 * holds none), plus the file format's constants.
 */
final class Segment {

    /** Every segment file starts with these 8 bytes. */
    static final byte[] MAGIC = "AGJRNL01".getBytes(StandardCharsets.US_ASCII);
    /** A record's header: {@code [int length][long sequence][int crc32c]}, big-endian. */
    static final int HEADER = 16;
    /** A segment file's name holds its first sequence, 20 digits. */
    static final Pattern NAME = Pattern.compile("segment-(\\d{20})\\.journal");

    final Path path;
    final long firstSeq;
    long lastSeq;

    Segment(Path path, long firstSeq, long lastSeq) {
        this.path = path;
        this.firstSeq = firstSeq;
        this.lastSeq = lastSeq;
    }

    /** The file of the segment whose first record is {@code firstSeq}. */
    static Path file(Path directory, long firstSeq) {
        return directory.resolve(String.format("segment-%020d.journal", firstSeq));
    }
}
