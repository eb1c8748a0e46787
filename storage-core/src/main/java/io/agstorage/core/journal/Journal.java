package io.agstorage.core.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An append-only journal of opaque records in checksummed segment files.
 *
 * <p>Layout: a directory of {@code segment-<first sequence, 20 digits>.journal} files, each starting with the
 * 8-byte magic {@code AGJRNL01}, then records of {@code [int length][long sequence][int crc32c][payload]}
 * (big-endian; the CRC covers length, sequence and payload). A {@code journal.lock} file keeps a second
 * process off the directory; {@code trimmed.seq} holds the last {@link #trim} so that a restart replays only what
 * follows it (segments are deleted whole, so they may still hold older records).
 *
 * <p>Life cycle: {@link Builder#open(ReplayHandler)} reads every segment, hands each valid record to the
 * handler in order, cuts a torn or corrupt tail off after its valid prefix (reported in {@link #recovery()}
 * and saved aside), and starts a new segment for appends. {@link #append(byte[])} writes a record and returns
 * its sequence; {@link #awaitDurable(long)} waits as the {@link SyncPolicy} says; {@link #trim(long)} deletes
 * segments whose records are all at or below a sequence the caller has stored elsewhere.
 *
 * <p>Forcing ({@code fsync}) follows the {@link SyncPolicy}: never while appending for {@link SyncPolicy#NONE};
 * every {@linkplain Builder#syncInterval(Duration) sync interval} by a background thread ({@code ag-journal-sync})
 * for {@link SyncPolicy#BATCH}; by the callers of {@link #awaitDurable(long)}, one shared {@code fsync} per group of
 * concurrent callers, for {@link SyncPolicy#ALWAYS}. {@link #durableSequence()} and {@link #syncCount()} tell how
 * far forcing has got.
 *
 * <p>Thread-safe.
 */
public final class Journal implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Journal.class);
    private static final byte[] MAGIC = "AGJRNL01".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = 16;
    /** The largest payload accepted: 16 MiB. */
    public static final int MAX_RECORD_BYTES = 16 << 20;

    private static final Pattern SEGMENT = Pattern.compile("segment-(\\d{20})\\.journal");
    /** Holds the highest sequence passed to {@link #trim}: replay skips what the caller already stored. */
    private static final String CHECKPOINT = "trimmed.seq";

    private static final long CHECKPOINT_INTERVAL_NANOS = 200_000_000L;
    /**
     * {@link SyncPolicy#BATCH}'s default sync interval, 5 ms. Above the {@code fsync} latency under load measured on
     * the benchmark VM (p99 3.5 ms for {@link SyncPolicy#ALWAYS}; an idle {@code fdatasync} takes about 0.15 ms), so
     * the flusher does not force back to back and costs at most 200 {@code fsync}s a second whatever the load; and
     * far below MongoDB's 100 ms journal commit interval or PostgreSQL's 200 ms {@code wal_writer_delay}, so a power
     * loss costs a trading bot at most a few milliseconds of records (about 100 fills at 20,000 fills/s), which the
     * venue can still report.
     */
    public static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofMillis(5);

    private static final Duration MIN_SYNC_INTERVAL = Duration.ofMillis(1);
    private static final Duration MAX_SYNC_INTERVAL = Duration.ofSeconds(10);

    private final Path directory;
    private final SyncPolicy syncPolicy;
    private final long syncIntervalNanos;
    private final long segmentBytes;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final JournalRecovery recovery;

    private final Object appendLock = new Object();
    private final Deque<Segment> closedSegments = new ArrayDeque<>();
    private FileChannel active;
    private Segment activeSegment;
    private long activeSize;
    private long nextSeq;
    private final long minNextSequence;
    private ByteBuffer scratch = ByteBuffer.allocate(4096).order(ByteOrder.BIG_ENDIAN);
    private final CRC32C crc = new CRC32C();

    private final Object syncMonitor = new Object();
    private volatile long writtenSeq;
    private volatile long durableSeq;
    /** Whether a caller of awaitDurable is forcing the file now (the group commit's leader). */
    private boolean syncing;

    private volatile long committedSeq;
    private volatile @Nullable IOException syncFailure;
    private final AtomicLong syncs = new AtomicLong();
    /** The BATCH policy's background flusher; null for the other policies. */
    private final @Nullable Thread flusher;

    private volatile boolean closed;
    /** Tells the flusher to stop; set by {@link #close()} before it forces and closes the files. */
    private volatile boolean stopping;

    private long checkpointWrittenNanos;
    private long checkpointWritten;

    private static final class Segment {
        final Path path;
        final long firstSeq;
        long lastSeq;

        Segment(Path path, long firstSeq, long lastSeq) {
            this.path = path;
            this.firstSeq = firstSeq;
            this.lastSeq = lastSeq;
        }
    }

    private Journal(Builder b, ReplayHandler handler) {
        this.directory = b.directory;
        this.syncPolicy = b.syncPolicy;
        this.syncIntervalNanos = b.syncInterval.toNanos();
        this.segmentBytes = b.segmentBytes;
        this.minNextSequence = b.minNextSequence;
        try {
            Files.createDirectories(directory);
            this.lockChannel = FileChannel.open(
                    directory.resolve("journal.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock acquired;
            try {
                acquired = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                acquired = null;
            }
            if (acquired == null) {
                lockChannel.close();
                throw new IllegalStateException("journal directory " + directory + " is in use by another journal "
                        + "(journal.lock is held); give each store its own directory");
            }
            this.lock = acquired;
        } catch (IOException e) {
            throw new JournalException("cannot open journal directory " + directory + ": " + e.getMessage(), e);
        }
        try {
            this.recovery = recover(handler);
            startSegment();
        } catch (IOException | RuntimeException e) {
            releaseLock();
            throw e instanceof IOException io
                    ? new JournalException("cannot open journal " + directory + ": " + io.getMessage(), io)
                    : (RuntimeException) e;
        }
        if (syncPolicy == SyncPolicy.BATCH) {
            Thread t = new Thread(this::flushLoop, "ag-journal-sync-" + directory.getFileName());
            t.setDaemon(true);
            this.flusher = t;
            t.start();
        } else {
            this.flusher = null;
        }
    }

    /** A builder; {@link Builder#directory(Path)} is required. */
    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------- recovery

    private JournalRecovery recover(ReplayHandler handler) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(directory, "segment-*.journal")) {
            ds.forEach(files::add);
        }
        files.sort(null);
        List<JournalRecovery.Corruption> corruptions = new ArrayList<>();
        long checkpoint = readCheckpoint();
        long records = 0;
        long skipped = 0;
        long lastSeq = 0;
        // A segment's name holds its first sequence: an empty one (rolled just before a crash) still says how far
        // sequences had gone.
        long namedFloor = 0;
        for (Path file : files) {
            Matcher m = SEGMENT.matcher(file.getFileName().toString());
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
            if (bytes.length < MAGIC.length) {
                problem = bytes.length == 0 ? null : "torn segment header";
            } else if (!java.util.Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
                problem = "bad segment magic";
            } else {
                pos = MAGIC.length;
                while (pos < bytes.length) {
                    if (bytes.length - pos < HEADER) {
                        problem = "torn record header";
                        break;
                    }
                    int length = buf.getInt(pos);
                    long seq = buf.getLong(pos + 4);
                    int storedCrc = buf.getInt(pos + 12);
                    if (length < 0 || length > MAX_RECORD_BYTES) {
                        problem = "invalid record length " + length;
                        break;
                    }
                    if (bytes.length - pos - HEADER < length) {
                        problem = "torn record (" + length + " payload bytes announced, "
                                + (bytes.length - pos - HEADER) + " present)";
                        break;
                    }
                    CRC32C c = new CRC32C();
                    c.update(bytes, pos, 12);
                    c.update(bytes, pos + HEADER, length);
                    if ((int) c.getValue() != storedCrc) {
                        problem = "checksum mismatch";
                        break;
                    }
                    if (seq <= lastSeq) {
                        problem = "sequence " + seq + " not after " + lastSeq;
                        break;
                    }
                    if (seq > checkpoint) {
                        handler.accept(seq, java.util.Arrays.copyOfRange(bytes, pos + HEADER, pos + HEADER + length));
                        records++;
                    } else {
                        skipped++;
                    }
                    lastSeq = seq;
                    segment.lastSeq = seq;
                    pos += HEADER + length;
                }
            }
            if (problem != null) {
                corruptions.add(cutTail(file, bytes, pos, problem));
            }
            if (segment.lastSeq < segment.firstSeq) {
                Files.deleteIfExists(file);
            } else {
                closedSegments.addLast(segment);
            }
        }
        // never reuse a sequence at or below the checkpoint, or a later replay would skip the new record; nor one the
        // caller says is taken (minNextSequence)
        nextSeq = Math.max(Math.max(lastSeq, checkpoint), Math.max(namedFloor, minNextSequence - 1)) + 1;
        writtenSeq = nextSeq - 1;
        durableSeq = nextSeq - 1;
        committedSeq = checkpoint;
        checkpointWritten = checkpoint;
        JournalRecovery result = new JournalRecovery(files.size(), records, skipped, corruptions);
        if (!result.clean()) {
            for (JournalRecovery.Corruption c : corruptions) {
                log.warn(
                        "Journal {}: {} at offset {} of {}; kept the {} valid records before it, cut off {} bytes (saved as {})",
                        directory,
                        c.reason(),
                        c.offset(),
                        c.segment().getFileName(),
                        records,
                        c.discardedBytes(),
                        c.savedAs());
            }
        }
        if (records > 0) {
            log.info(
                    "Journal {}: replaying {} records from {} segments ({} already stored, skipped)",
                    directory,
                    records,
                    closedSegments.size(),
                    skipped);
        }
        return result;
    }

    private static JournalRecovery.Corruption cutTail(Path file, byte[] bytes, int validEnd, String problem)
            throws IOException {
        Path saved = file.resolveSibling(file.getFileName() + ".corrupt-" + validEnd);
        try {
            Files.write(saved, java.util.Arrays.copyOfRange(bytes, validEnd, bytes.length));
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

    // ---------------------------------------------------------------- appends

    private void startSegment() throws IOException {
        Path path = directory.resolve(String.format("segment-%020d.journal", nextSeq));
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        ch.write(ByteBuffer.wrap(MAGIC));
        if (syncPolicy != SyncPolicy.NONE) {
            ch.force(true);
            forceDirectory();
        }
        active = ch;
        activeSegment = new Segment(path, nextSeq, nextSeq - 1);
        activeSize = MAGIC.length;
    }

    private void forceDirectory() {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            log.debug("Cannot fsync directory {}: {}", directory, e.getMessage());
        }
    }

    /** Closes the active segment (forcing it, unless the policy is NONE) and starts the next; caller holds appendLock. */
    private void roll() throws IOException {
        if (syncPolicy != SyncPolicy.NONE) {
            active.force(false);
            syncs.incrementAndGet();
            markDurable(writtenSeq);
        }
        active.close();
        closedSegments.addLast(activeSegment);
        startSegment();
    }

    /**
     * Writes one record to the file (the operating system's page cache, not yet necessarily the device) and
     * returns its sequence. Follow with {@link #awaitDurable(long)} for the sync policy's guarantee.
     *
     * @throws IllegalArgumentException when the payload is larger than {@link #MAX_RECORD_BYTES}
     * @throws JournalException when the write fails, or an earlier {@code fsync} failed (the device can no longer
     *     be trusted with new records)
     */
    public long append(byte[] payload) {
        Objects.requireNonNull(payload, "payload");
        if (payload.length > MAX_RECORD_BYTES) {
            throw new IllegalArgumentException(
                    "journal record must be at most " + MAX_RECORD_BYTES + " bytes, was " + payload.length);
        }
        synchronized (appendLock) {
            checkOpen();
            IOException failure = syncFailure;
            if (failure != null) {
                throw new JournalException(
                        "journal fsync failed earlier, refusing new records: " + failure.getMessage(), failure);
            }
            try {
                if (activeSize >= segmentBytes) {
                    roll();
                }
                long seq = nextSeq;
                int size = HEADER + payload.length;
                if (scratch.capacity() < size) {
                    scratch = ByteBuffer.allocate(Math.max(size, scratch.capacity() * 2))
                            .order(ByteOrder.BIG_ENDIAN);
                }
                ByteBuffer buf = scratch;
                buf.clear();
                buf.putInt(payload.length).putLong(seq);
                crc.reset();
                crc.update(buf.array(), 0, 12);
                crc.update(payload);
                buf.putInt((int) crc.getValue()).put(payload).flip();
                while (buf.hasRemaining()) {
                    active.write(buf);
                }
                nextSeq = seq + 1;
                activeSize += size;
                activeSegment.lastSeq = seq;
                writtenSeq = seq;
                return seq;
            } catch (IOException e) {
                throw new JournalException("journal write to " + activeSegment.path + " failed: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Returns once record {@code sequence} is as durable as the sync policy promises: at once for
     * {@link SyncPolicy#NONE} and {@link SyncPolicy#BATCH} (the record is in the page cache; BATCH's flusher forces it
     * within the sync interval), after an {@code fsync} covering the record for {@link SyncPolicy#ALWAYS}.
     *
     * <p>ALWAYS is a group commit without a helper thread: the first caller that finds no fsync running becomes the
     * leader and forces the file for every record written so far; callers arriving meanwhile wait for it, and one of
     * those whose record it did not cover leads the next. Concurrent callers thus share one {@code fsync}.
     *
     * @throws JournalException when the fsync failed or the journal closed first
     */
    public void awaitDurable(long sequence) {
        if (syncPolicy != SyncPolicy.ALWAYS || durableSeq >= sequence) {
            return;
        }
        boolean interrupted = false;
        try {
            while (true) {
                synchronized (syncMonitor) {
                    while (syncing && durableSeq < sequence) {
                        checkSyncable(sequence);
                        try {
                            syncMonitor.wait();
                        } catch (InterruptedException e) {
                            interrupted = true;
                        }
                    }
                    if (durableSeq >= sequence) {
                        return;
                    }
                    checkSyncable(sequence);
                    syncing = true;
                }
                long target = forceWritten();
                synchronized (syncMonitor) {
                    syncing = false;
                    if (target > durableSeq) {
                        durableSeq = target;
                    }
                    syncMonitor.notifyAll();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void checkSyncable(long sequence) {
        IOException failure = syncFailure;
        if (failure != null) {
            throw new JournalException("journal fsync failed: " + failure.getMessage(), failure);
        }
        if (closed && durableSeq < sequence) {
            throw new JournalException("journal closed before record " + sequence + " was forced to disk");
        }
    }

    /** Forces the active segment; returns the last sequence now durable (or the current durable one on failure). */
    private long forceWritten() {
        FileChannel ch;
        long target;
        synchronized (appendLock) {
            ch = active;
            target = writtenSeq;
        }
        try {
            ch.force(false);
            syncs.incrementAndGet();
            return target;
        } catch (ClosedChannelException e) {
            // rolled or closed meanwhile: roll() and close() force everything they close
            return durableSeq;
        } catch (IOException e) {
            log.error(
                    "Journal {}: fsync failed, records after sequence {} may not be durable: {}",
                    directory,
                    durableSeq,
                    e.getMessage());
            syncFailure = e;
            return durableSeq;
        }
    }

    /**
     * The BATCH flusher: every sync interval, forces the active segment when records were written since the last
     * force. A tick's deadline is set before its {@code fsync}, so a record is forced at most one interval plus one
     * {@code fsync} after it was written. Stops when the journal closes or an fsync fails.
     */
    private void flushLoop() {
        long deadline = System.nanoTime() + syncIntervalNanos;
        while (!stopping && !closed) {
            long wait = deadline - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(this, wait);
                continue;
            }
            deadline = System.nanoTime() + syncIntervalNanos;
            if (writtenSeq > durableSeq) {
                try {
                    markDurable(forceWritten());
                } catch (RuntimeException e) {
                    log.error(
                            "Journal {}: the sync thread failed, records after sequence {} may not be durable: {}",
                            directory,
                            durableSeq,
                            e.toString());
                }
                if (syncFailure != null) {
                    return; // forceWritten logged it; append refuses new records from now on
                }
            }
        }
    }

    private void markDurable(long seq) {
        synchronized (syncMonitor) {
            if (seq > durableSeq) {
                durableSeq = seq;
            }
            syncMonitor.notifyAll();
        }
    }

    // ---------------------------------------------------------------- trimming

    /**
     * Records that every record with a sequence {@code <= sequence} is stored elsewhere, and deletes the closed
     * segments that hold only such records. The active segment is rolled first when it is full and all of it
     * is covered, so a steady stream keeps only about one segment on disk.
     */
    public void trim(long sequence) {
        List<Path> delete = new ArrayList<>();
        synchronized (appendLock) {
            if (closed) {
                return;
            }
            if (sequence > committedSeq) {
                committedSeq = sequence;
            }
            try {
                if (committedSeq >= writtenSeq && activeSize >= segmentBytes) {
                    roll();
                }
            } catch (IOException e) {
                throw new JournalException("journal roll in " + directory + " failed: " + e.getMessage(), e);
            }
            while (!closedSegments.isEmpty() && closedSegments.peekFirst().lastSeq <= committedSeq) {
                delete.add(closedSegments.pollFirst().path);
            }
            long now = System.nanoTime();
            if (committedSeq > checkpointWritten
                    && (checkpointWrittenNanos == 0 || now - checkpointWrittenNanos >= CHECKPOINT_INTERVAL_NANOS)) {
                writeCheckpoint(committedSeq);
                checkpointWrittenNanos = now;
            }
        }
        for (Path p : delete) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                log.warn(
                        "Journal {}: cannot delete trimmed segment {}: {}", directory, p.getFileName(), e.getMessage());
            }
        }
    }

    // ---------------------------------------------------------------- state

    /** What opening the journal found: records replayed and any corrupt or torn tail cut off. */
    public JournalRecovery recovery() {
        return recovery;
    }

    public Path directory() {
        return directory;
    }

    public SyncPolicy syncPolicy() {
        return syncPolicy;
    }

    /**
     * The highest sequence known to be on the device: forced by an {@code fsync} of this journal (or present when it
     * opened). With {@link SyncPolicy#NONE} only closing a segment on {@link #close()} advances it.
     */
    public long durableSequence() {
        return durableSeq;
    }

    /** How many {@code fsync}s of segment files completed since open (flusher, group commits, segment rolls, close). */
    public long syncCount() {
        return syncs.get();
    }

    /** The sync interval of {@link SyncPolicy#BATCH}'s flusher (set for every policy, used by BATCH only). */
    public Duration syncInterval() {
        return Duration.ofNanos(syncIntervalNanos);
    }

    /** The sequence of the last record appended (or replayed), 0 when none. */
    public long lastSequence() {
        return writtenSeq;
    }

    /** The highest sequence passed to {@link #trim(long)}, in this run or (through the checkpoint file) an earlier one. */
    public long trimmedSequence() {
        return committedSeq;
    }

    /** Segment files on disk now, the active one included. */
    public int segmentCount() {
        synchronized (appendLock) {
            return closedSegments.size() + (closed ? 0 : 1);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("journal " + directory + " is closed");
        }
    }

    /**
     * Stops the flusher, forces what was written (whatever the policy) and closes the files. When every record was
     * trimmed, the directory is left with no segment at all. Idempotent; waits at most 10 s for an {@code fsync}
     * the flusher has in flight.
     */
    @Override
    public void close() {
        Thread t = flusher;
        if (t != null) {
            stopping = true;
            LockSupport.unpark(t);
            if (t != Thread.currentThread()) {
                try {
                    t.join(TimeUnit.SECONDS.toMillis(10));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        synchronized (appendLock) {
            if (closed) {
                return;
            }
            try {
                active.force(false);
                syncs.incrementAndGet();
                markDurable(writtenSeq);
                active.close();
                if (committedSeq > checkpointWritten) {
                    writeCheckpoint(committedSeq);
                }
                if (committedSeq >= writtenSeq) {
                    Files.deleteIfExists(activeSegment.path);
                    for (Segment s : closedSegments) {
                        Files.deleteIfExists(s.path);
                    }
                    closedSegments.clear();
                }
            } catch (IOException e) {
                log.error("Journal {}: closing failed: {}", directory, e.getMessage());
            } finally {
                closed = true;
                synchronized (syncMonitor) {
                    syncMonitor.notifyAll();
                }
                releaseLock();
            }
        }
    }

    private long readCheckpoint() {
        Path file = directory.resolve(CHECKPOINT);
        if (!Files.exists(file)) {
            return 0;
        }
        try {
            return Long.parseLong(
                    Files.readString(file, StandardCharsets.US_ASCII).strip());
        } catch (IOException | NumberFormatException e) {
            log.warn(
                    "Journal {}: unreadable {} ({}); replaying every record (the consumer's writes are idempotent)",
                    directory,
                    CHECKPOINT,
                    e.getMessage());
            return 0;
        }
    }

    /**
     * Atomically replaces the checkpoint file. Not forced: a checkpoint lost in a machine crash is an older one,
     * which only replays records the consumer already stored; it is never ahead of {@link #trim}.
     */
    private void writeCheckpoint(long sequence) {
        Path tmp = directory.resolve(CHECKPOINT + ".tmp");
        try {
            Files.writeString(tmp, Long.toString(sequence), StandardCharsets.US_ASCII);
            Files.move(
                    tmp,
                    directory.resolve(CHECKPOINT),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            checkpointWritten = sequence;
        } catch (IOException e) {
            log.warn("Journal {}: cannot write {}: {}", directory, CHECKPOINT, e.getMessage());
        }
    }

    private void releaseLock() {
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            log.debug("Cannot release {}: {}", directory.resolve("journal.lock"), e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "Journal{directory=" + directory + ", syncPolicy="
                + syncPolicy.name().toLowerCase(java.util.Locale.ROOT)
                + (syncPolicy == SyncPolicy.BATCH ? ", syncInterval=" + syncInterval() : "") + ", segmentBytes="
                + segmentBytes + "}";
    }

    /** Builds and opens a {@link Journal}. */
    public static final class Builder {
        private @Nullable Path directory;
        private SyncPolicy syncPolicy = SyncPolicy.BATCH;
        private Duration syncInterval = DEFAULT_SYNC_INTERVAL;
        private long segmentBytes = 64L << 20;
        private long minNextSequence = 1;

        private Builder() {}

        /** Where the segment files live; created when missing. Required. */
        public Builder directory(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /** How far a record is forced before it is acknowledged; see {@link SyncPolicy}. Default: {@link SyncPolicy#BATCH}. */
        public Builder syncPolicy(SyncPolicy syncPolicy) {
            this.syncPolicy = Objects.requireNonNull(syncPolicy, "syncPolicy");
            return this;
        }

        /**
         * How often {@link SyncPolicy#BATCH}'s background thread forces the journal when records were written since
         * its last {@code fsync}: the most a machine crash or power loss can take (plus the {@code fsync} in flight).
         * Ignored by the other policies. Default: {@link #DEFAULT_SYNC_INTERVAL} (5 ms). Within 1 ms..10 s.
         *
         * @throws IllegalArgumentException when out of range, e.g. "syncInterval must be within 1 ms..10 s, was PT0S"
         */
        public Builder syncInterval(Duration syncInterval) {
            Objects.requireNonNull(syncInterval, "syncInterval");
            if (syncInterval.compareTo(MIN_SYNC_INTERVAL) < 0 || syncInterval.compareTo(MAX_SYNC_INTERVAL) > 0) {
                throw new IllegalArgumentException("syncInterval must be within 1 ms..10 s, was " + syncInterval);
            }
            this.syncInterval = syncInterval;
            return this;
        }

        /** A segment is closed and a new one started once it holds this many bytes. Default: 64 MiB. */
        public Builder segmentBytes(long segmentBytes) {
            if (segmentBytes < 4096) {
                throw new IllegalArgumentException("segmentBytes must be >= 4096, was " + segmentBytes);
            }
            this.segmentBytes = segmentBytes;
            return this;
        }

        /**
         * The least sequence the first new record may take: a caller that stored sequences elsewhere (a database) can
         * keep the journal from reusing one the files no longer show (a tail lost in a machine crash). Default 1.
         */
        public Builder minNextSequence(long sequence) {
            if (sequence < 1) {
                throw new IllegalArgumentException("minNextSequence must be >= 1, was " + sequence);
            }
            this.minNextSequence = sequence;
            return this;
        }

        /**
         * Opens the journal: replays every valid record to {@code handler} (in sequence order, on this thread),
         * cuts off and reports a corrupt or torn tail, and starts a fresh segment for appends.
         *
         * @throws IllegalStateException when another journal holds the directory
         * @throws JournalException when the files cannot be read or written
         */
        public Journal open(ReplayHandler handler) {
            Objects.requireNonNull(handler, "handler");
            if (directory == null) {
                throw new IllegalStateException("directory must be set");
            }
            return new Journal(this, handler);
        }
    }
}
