package io.agstorage.core.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A journal's segment files: the active one records are appended to, and the closed ones waiting for
 * {@link Journal#trim}. Not thread-safe: the journal calls it under its append lock (only {@link #active()} is read
 * elsewhere, under that lock too).
 */
final class SegmentFiles {

    private static final Logger log = LoggerFactory.getLogger(Journal.class);

    private final Path directory;
    /** Whether a new segment file (and its directory entry) is forced before use; false for {@link SyncPolicy#NONE}. */
    private final boolean force;

    private final Deque<Segment> closed;
    private FileChannel active;
    private Segment activeSegment;
    private long activeSize;
    private long nextSeq;
    private @Nullable Exception damage;
    private ByteBuffer scratch = ByteBuffer.allocate(4096).order(ByteOrder.BIG_ENDIAN);
    private final CRC32C crc = new CRC32C();

    /** Takes over the {@code closed} segments found on open and starts an active one whose first record is next. */
    SegmentFiles(Path directory, boolean force, Deque<Segment> closed, long nextSeq) throws IOException {
        this.directory = directory;
        this.force = force;
        this.closed = closed;
        this.nextSeq = nextSeq;
        Path path = Segment.file(directory, nextSeq);
        active = create(path);
        activeSegment = new Segment(path, nextSeq, nextSeq - 1);
        activeSize = Segment.MAGIC.length;
    }

    /**
     * Creates a segment file holding only the magic; on failure (a full disk) deletes it again, so that a later
     * attempt can create it anew.
     */
    private FileChannel create(Path path) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            ByteBuffer magic = ByteBuffer.wrap(Segment.MAGIC);
            while (magic.hasRemaining()) {
                ch.write(magic);
            }
            if (force) {
                ch.force(true);
                forceDirectory();
            }
            return ch;
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            try {
                Files.deleteIfExists(path);
            } catch (IOException d) {
                e.addSuppressed(d);
            }
            throw e;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            log.debug("Cannot close a journal segment: {}", e.getMessage());
        }
    }

    private void forceDirectory() {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            log.debug("Cannot fsync directory {}: {}", directory, e.getMessage());
        }
    }

    /**
     * Writes one record (to the page cache) to the active segment; returns its sequence. When the write fails (a full
     * disk writes part of the record, then fails), the segment is cut back to where the record started, so the
     * journal is as it was before; when even that fails, {@link #damage()} says so until {@link #repair()} succeeds.
     */
    long write(byte[] payload) throws IOException {
        long seq = nextSeq;
        int size = Segment.HEADER + payload.length;
        if (scratch.capacity() < size) {
            scratch =
                    ByteBuffer.allocate(Math.max(size, scratch.capacity() * 2)).order(ByteOrder.BIG_ENDIAN);
        }
        ByteBuffer buf = scratch;
        buf.clear();
        buf.putInt(payload.length).putLong(seq);
        crc.reset();
        crc.update(buf.array(), 0, 12);
        crc.update(payload);
        buf.putInt((int) crc.getValue()).put(payload).flip();
        try {
            while (buf.hasRemaining()) {
                active.write(buf);
            }
        } catch (IOException | RuntimeException e) {
            damage = e;
            try {
                repair();
            } catch (IOException | RuntimeException r) {
                e.addSuppressed(r);
            }
            throw e;
        }
        nextSeq = seq + 1;
        activeSize += size;
        activeSegment.lastSeq = seq;
        return seq;
    }

    /**
     * Why the active segment may end in part of a record that could not be cut off, or null when it ends after its
     * last record. While it is set the journal takes no record: one after the partial bytes would not be replayed.
     */
    @Nullable
    Exception damage() {
        return damage;
    }

    /**
     * Cuts the active segment back to the end of its last record and positions the next write there, reopening the
     * file when the failure closed the channel (an interrupted write does). Clears {@link #damage()} on success.
     */
    void repair() throws IOException {
        if (!active.isOpen()) {
            active = FileChannel.open(activeSegment.path, StandardOpenOption.WRITE);
        }
        if (active.size() > activeSize) {
            active.truncate(activeSize);
        }
        active.position(activeSize);
        damage = null;
    }

    /**
     * Starts the next segment, then closes the active one (the caller forced it when the policy asks). When the next
     * cannot be created (a full disk), the active segment stays as it was and the caller may try again later.
     */
    void roll() throws IOException {
        Path path = Segment.file(directory, nextSeq);
        FileChannel next = create(path);
        closeQuietly(active);
        closed.addLast(activeSegment);
        active = next;
        activeSegment = new Segment(path, nextSeq, nextSeq - 1);
        activeSize = Segment.MAGIC.length;
    }

    /** Removes the closed segments whose records are all at or below {@code sequence}; returns their files. */
    List<Path> pollCovered(long sequence) {
        List<Path> covered = new ArrayList<>();
        while (!closed.isEmpty() && closed.peekFirst().lastSeq <= sequence) {
            covered.add(closed.pollFirst().path);
        }
        return covered;
    }

    /** Closes the active segment's file (on the journal's close). */
    void closeActive() throws IOException {
        active.close();
    }

    /** Deletes every segment file, the active one included (once every record is trimmed, on close). */
    void deleteAll() throws IOException {
        Files.deleteIfExists(activeSegment.path);
        for (Segment s : closed) {
            Files.deleteIfExists(s.path);
        }
        closed.clear();
    }

    /** The segments now, oldest first, the active one last (copies: their last sequence is not kept up). */
    List<Segment> snapshot() {
        List<Segment> all = new ArrayList<>(closed.size() + 1);
        for (Segment s : closed) {
            all.add(new Segment(s.path, s.firstSeq, s.lastSeq));
        }
        all.add(new Segment(activeSegment.path, activeSegment.firstSeq, activeSegment.lastSeq));
        return all;
    }

    FileChannel active() {
        return active;
    }

    Path activePath() {
        return activeSegment.path;
    }

    long activeSize() {
        return activeSize;
    }

    int closedCount() {
        return closed.size();
    }
}
