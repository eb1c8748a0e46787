package io.agstorage.core.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A journal's recovery on open: reads every segment in order, replays each valid record after the checkpoint, cuts a
 * torn or corrupt tail off after its valid prefix (saving it aside as {@code .corrupt-<offset>}) and deletes
 * segments left empty.
 */
final class SegmentScanner {

    private static final Logger log = LoggerFactory.getLogger(Journal.class);

    /**
     * What the scan found.
     *
     * @param segments the segments still holding records, oldest first
     * @param lastSequence the last valid record's sequence, 0 when none
     * @param namedFloor the highest sequence a segment's name says was taken (an empty segment rolled just before a
     *     crash still tells how far sequences had gone)
     * @param recovery the report for {@link Journal#recovery()}
     */
    record Result(Deque<Segment> segments, long lastSequence, long namedFloor, JournalRecovery recovery) {}

    private SegmentScanner() {}

    /** Scans {@code directory}, handing each valid record above {@code checkpoint} to {@code handler}. */
    static Result scan(Path directory, long checkpoint, ReplayHandler handler) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(directory, "segment-*.journal")) {
            ds.forEach(files::add);
        }
        files.sort(null);
        Deque<Segment> segments = new ArrayDeque<>();
        List<JournalRecovery.Corruption> corruptions = new ArrayList<>();
        List<JournalRecovery.Quarantined> quarantined = new ArrayList<>();
        long records = 0;
        long skipped = 0;
        long lastSeq = 0;
        long namedFloor = 0;
        for (Path file : files) {
            Matcher m = Segment.NAME.matcher(file.getFileName().toString());
            if (!m.matches()) {
                continue;
            }
            long firstSeq = Long.parseLong(m.group(1));
            namedFloor = Math.max(namedFloor, firstSeq - 1);
            Segment segment = new Segment(file, firstSeq, firstSeq - 1);
            byte[] bytes = Files.readAllBytes(file);
            ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
            String problem = null;
            int pos = 0;
            byte[] magic = Segment.MAGIC;
            if (bytes.length < magic.length) {
                problem = bytes.length == 0 ? null : "torn segment header";
            } else if (!Arrays.equals(bytes, 0, magic.length, magic, 0, magic.length)) {
                problem = "bad segment magic";
            } else {
                pos = magic.length;
                while (pos < bytes.length) {
                    if (bytes.length - pos < Segment.HEADER) {
                        problem = "torn record header";
                        break;
                    }
                    int length = buf.getInt(pos);
                    long seq = buf.getLong(pos + 4);
                    int storedCrc = buf.getInt(pos + 12);
                    if (length < 0 || length > Journal.MAX_RECORD_BYTES) {
                        problem = "invalid record length " + length;
                        break;
                    }
                    int payload = pos + Segment.HEADER;
                    if (bytes.length - payload < length) {
                        problem = "torn record (" + length + " payload bytes announced, " + (bytes.length - payload)
                                + " present)";
                        break;
                    }
                    CRC32C c = new CRC32C();
                    c.update(bytes, pos, 12);
                    c.update(bytes, payload, length);
                    if ((int) c.getValue() != storedCrc) {
                        problem = "checksum mismatch";
                        break;
                    }
                    if (seq <= lastSeq) {
                        problem = "sequence " + seq + " not after " + lastSeq;
                        break;
                    }
                    if (seq > checkpoint) {
                        byte[] record = Arrays.copyOfRange(bytes, payload, payload + length);
                        try {
                            handler.accept(seq, record);
                            records++;
                        } catch (UndecodableRecordException e) {
                            quarantined.add(quarantine(directory, seq, record, e));
                        }
                    } else {
                        skipped++;
                    }
                    lastSeq = seq;
                    segment.lastSeq = seq;
                    pos = payload + length;
                }
            }
            if (problem != null) {
                corruptions.add(cutTail(file, bytes, pos, problem));
            }
            if (segment.lastSeq < segment.firstSeq) {
                Files.deleteIfExists(file);
            } else {
                segments.addLast(segment);
            }
        }
        JournalRecovery result = new JournalRecovery(files.size(), records, skipped, corruptions, quarantined);
        for (JournalRecovery.Corruption c : corruptions) {
            log.warn(
                    "Journal {}: {} at offset {} of {}; kept the {} valid records before it, cut off {} bytes "
                            + "(saved as {})",
                    directory,
                    c.reason(),
                    c.offset(),
                    c.segment().getFileName(),
                    records,
                    c.discardedBytes(),
                    c.savedAs());
        }
        if (records > 0) {
            log.info(
                    "Journal {}: replaying {} records from {} segments ({} already stored, skipped)",
                    directory,
                    records,
                    segments.size(),
                    skipped);
        }
        return new Result(segments, lastSeq, namedFloor, result);
    }

    /**
     * Copies a record its reader cannot decode to {@code quarantine-<sequence>.rec} (replacing the copy of an earlier
     * open: the record stays in its segment until a trim covers it) and says so loudly.
     *
     * @throws IOException when the copy cannot be written: the record is then not skipped, and the open fails
     */
    private static JournalRecovery.Quarantined quarantine(
            Path directory, long seq, byte[] payload, UndecodableRecordException e) throws IOException {
        Path file = directory.resolve(String.format("quarantine-%020d.rec", seq));
        Path tmp = directory.resolve(file.getFileName() + ".tmp");
        try {
            Files.write(tmp, payload);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException io) {
            io.addSuppressed(e);
            throw new IOException(
                    "record " + seq + " cannot be decoded (" + e.getMessage() + ") and cannot be quarantined to " + file
                            + ": " + io.getMessage(),
                    io);
        }
        log.error(
                "Journal {}: record {} has a valid checksum but cannot be decoded ({}); QUARANTINED it to {} "
                        + "and replaying the records after it. It is NOT replayed: inspect the file.",
                directory,
                seq,
                e.getMessage(),
                file,
                e);
        return new JournalRecovery.Quarantined(seq, file, String.valueOf(e.getMessage()));
    }

    /** Saves the bytes from {@code validEnd} on beside the segment, then truncates the segment there. */
    private static JournalRecovery.Corruption cutTail(Path file, byte[] bytes, int validEnd, String problem)
            throws IOException {
        Path saved = file.resolveSibling(file.getFileName() + ".corrupt-" + validEnd);
        try {
            Files.write(saved, Arrays.copyOfRange(bytes, validEnd, bytes.length));
        } catch (IOException e) {
            log.warn("Journal: cannot save the corrupt tail of {} to {}: {}", file, saved, e.getMessage());
            saved = null;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(validEnd);
            ch.force(true);
        }
        return new JournalRecovery.Corruption(file, validEnd, bytes.length - validEnd, problem, saved);
    }
}
