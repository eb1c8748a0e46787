package io.agstorage.core.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * Reads a live {@link Journal}'s records back from its files, in sequence order and in chunks the caller sizes, so
 * a consumer that fell behind (a database outage) holds only a chunk in memory while the rest waits on disk. Sees
 * every record appended before each {@link #read} call; records trimmed meanwhile may still be read (the caller
 * skips what it stored). One reader serves one thread; close it to release its file.
 */
public final class JournalReader implements AutoCloseable {

    private static final int BUFFER_BYTES = 256 << 10;

    private final Journal journal;
    private long next;
    private @Nullable FileChannel channel;
    private long segmentFirstSeq;
    /** File offset of the next record in the current segment. */
    private long position;

    private ByteBuffer buf = ByteBuffer.allocate(BUFFER_BYTES).order(ByteOrder.BIG_ENDIAN);
    /** File offset of {@code buf}'s first byte; {@code buf}'s limit marks the bytes read. */
    private long bufStart;

    private final CRC32C crc = new CRC32C();

    JournalReader(Journal journal, long fromSequence) {
        this.journal = journal;
        this.next = fromSequence;
        this.buf.limit(0);
    }

    /** The sequence the next record read will have at least. */
    public long nextSequence() {
        return next;
    }

    /**
     * Hands up to {@code maxRecords} records, from the next unread one on, to {@code handler} on this thread.
     *
     * @return how many records were handed over: 0 when every record appended so far was read
     * @throws JournalException when a file cannot be read or a record's checksum does not match
     */
    public int read(int maxRecords, ReplayHandler handler) {
        long limit = journal.lastSequence();
        int n = 0;
        try {
            while (n < maxRecords && next <= limit) {
                if (channel == null && !open(next, -1)) {
                    break;
                }
                long seq = peekSequence();
                if (seq < 0) {
                    // end of this segment: when a later one exists, this one is complete (look once more)
                    long current = segmentFirstSeq;
                    boolean later = journal.segmentSnapshot().stream().anyMatch(s -> s.firstSeq > current);
                    if (!later) {
                        break;
                    }
                    seq = peekSequence();
                    if (seq < 0) {
                        closeChannel();
                        if (!open(next, current)) {
                            break;
                        }
                        continue;
                    }
                }
                if (seq > limit) {
                    break;
                }
                int length = buf.getInt((int) (position - bufStart));
                byte[] payload = new byte[length];
                int at = (int) (position - bufStart);
                crc.reset();
                crc.update(buf.array(), at, 12);
                buf.get(at + Segment.HEADER, payload);
                crc.update(payload);
                if ((int) crc.getValue() != buf.getInt(at + 12)) {
                    throw new JournalException("journal record " + seq + " in " + journal.directory()
                            + " fails its checksum on read-back");
                }
                position += Segment.HEADER + length;
                if (seq >= next) {
                    handler.accept(seq, payload);
                    next = seq + 1;
                    n++;
                }
            }
        } catch (IOException e) {
            throw new JournalException("cannot read journal " + journal.directory() + ": " + e.getMessage(), e);
        }
        return n;
    }

    /**
     * Opens the segment holding {@code sequence}: the last whose first sequence is at most it, else the first after
     * it; only segments after {@code after} when that is not -1. False when there is none.
     */
    private boolean open(long sequence, long after) throws IOException {
        for (int attempt = 0; attempt < 3; attempt++) {
            Segment pick = null;
            for (Segment s : journal.segmentSnapshot()) {
                if (s.firstSeq <= after) {
                    continue;
                }
                if (pick == null || s.firstSeq <= sequence) {
                    pick = s;
                }
            }
            if (pick == null) {
                return false;
            }
            try {
                channel = FileChannel.open(pick.path, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                continue; // trimmed meanwhile: its records are stored, take the next
            }
            segmentFirstSeq = pick.firstSeq;
            position = Segment.MAGIC.length;
            bufStart = position;
            buf.clear().limit(0);
            return true;
        }
        return false;
    }

    /** The sequence of the record at {@link #position} once it is whole in the buffer; -1 when it is not written. */
    private long peekSequence() throws IOException {
        if (!ensure(Segment.HEADER)) {
            return -1;
        }
        int length = buf.getInt((int) (position - bufStart));
        if (length < 0 || length > Journal.MAX_RECORD_BYTES) {
            throw new JournalException("journal " + journal.directory() + ": invalid record length " + length
                    + " at offset " + position + " on read-back");
        }
        if (!ensure(Segment.HEADER + length)) {
            return -1;
        }
        return buf.getLong((int) (position - bufStart) + 4);
    }

    /** Makes {@code bytes} bytes from {@link #position} available in the buffer; false at the end of the file. */
    private boolean ensure(int bytes) throws IOException {
        if (position + bytes <= bufStart + buf.limit()) {
            return true;
        }
        if (buf.capacity() < bytes) {
            buf = ByteBuffer.allocate(bytes).order(ByteOrder.BIG_ENDIAN);
        }
        buf.clear();
        bufStart = position;
        FileChannel ch = channel;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, bufStart + buf.position());
            if (r <= 0) {
                break;
            }
        }
        buf.flip();
        if (buf.capacity() > BUFFER_BYTES && bytes <= BUFFER_BYTES) {
            // shrink back after a large record
            ByteBuffer small = ByteBuffer.allocate(BUFFER_BYTES).order(ByteOrder.BIG_ENDIAN);
            small.put(buf.array(), 0, Math.min(buf.limit(), BUFFER_BYTES)).flip();
            buf = small;
        }
        return buf.limit() >= bytes;
    }

    private void closeChannel() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    @Override
    public void close() {
        try {
            closeChannel();
        } catch (IOException e) {
            // read-only file: nothing to lose
        }
    }
}
