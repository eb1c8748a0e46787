package io.agstorage.core.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

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
 * and saved aside), quarantines a valid record the handler cannot decode ({@link UndecodableRecordException}: copied
 * to {@code quarantine-<sequence>.rec}, logged as an error, replay goes on), and starts a new segment for appends.
 * {@link #append(byte[])} writes a record and returns its sequence; {@link #awaitDurable(long)} waits as the
 * {@link SyncPolicy} says; {@link #trim(long)} deletes segments whose records are all at or below a sequence the
 * caller has stored elsewhere.
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

    /** The largest payload accepted: 16 MiB. */
    public static final int MAX_RECORD_BYTES = 16 << 20;

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
    private final DirectoryLock lock;
    private final JournalRecovery recovery;

    /** Guards the segment files, the checkpoint and {@link #committedSeq}'s updates. */
    private final Object appendLock = new Object();

    private final SegmentFiles segments;
    private final JournalSync sync;
    private final JournalWriter writer;
    private volatile long committedSeq;
    private volatile boolean closed;

    private Journal(Builder b, ReplayHandler handler) {
        this.directory = b.directory;
        this.syncPolicy = b.syncPolicy;
        this.syncIntervalNanos = b.syncInterval.toNanos();
        this.segmentBytes = b.segmentBytes;
        this.lock = DirectoryLock.acquire(directory);
        try {
            Checkpoint checkpoint = Checkpoint.read(directory);
            long trimmed = checkpoint.written();
            SegmentScanner.Result scan = SegmentScanner.scan(directory, trimmed, handler);
            this.recovery = scan.recovery();
            // never reuse a sequence at or below the checkpoint, or a later replay would skip the new record; nor one
            // the caller says is taken (minNextSequence)
            long next =
                    Math.max(Math.max(scan.lastSequence(), trimmed), Math.max(scan.namedFloor(), b.minNextSequence - 1))
                            + 1;
            this.segments = new SegmentFiles(directory, syncPolicy != SyncPolicy.NONE, scan.segments(), next);
            this.committedSeq = trimmed;
            this.sync = new JournalSync(
                    directory, syncPolicy, syncIntervalNanos, appendLock, this::activeChannel, next - 1);
            this.writer = new JournalWriter(directory, syncPolicy, segmentBytes, segments, sync, checkpoint);
        } catch (IOException | RuntimeException e) {
            lock.release();
            throw e instanceof IOException io
                    ? new JournalException("cannot open journal " + directory + ": " + io.getMessage(), io)
                    : (RuntimeException) e;
        }
        sync.start();
    }

    /** A builder; {@link Builder#directory(Path)} is required. */
    public static Builder builder() {
        return new Builder();
    }

    private FileChannel activeChannel() {
        return segments.active();
    }

    // ---------------------------------------------------------------- appends

    /**
     * Writes one record to the file (the operating system's page cache, not yet necessarily the device) and
     * returns its sequence. Follow with {@link #awaitDurable(long)} for the sync policy's guarantee.
     *
     * <p>A write that fails (a full disk typically writes part of the record, then fails) leaves the journal as it was
     * before it: the partial bytes are cut off and the next append may succeed once there is room. Should cutting them
     * off fail too, the journal fails closed: every append throws until the bytes can be cut off (each append tries)
     * or the journal is reopened. A record appended after partial bytes would not be replayed, so none ever is.
     *
     * @throws IllegalArgumentException when the payload is larger than {@link #MAX_RECORD_BYTES}
     * @throws JournalException when the write fails (nothing of the record is kept), the journal refuses records after
     *     a write it could not undo, or an earlier {@code fsync} failed (the device can no longer be trusted with new
     *     records)
     */
    public long append(byte[] payload) {
        Objects.requireNonNull(payload, "payload");
        if (payload.length > MAX_RECORD_BYTES) {
            throw new IllegalArgumentException(
                    "journal record must be at most " + MAX_RECORD_BYTES + " bytes, was " + payload.length);
        }
        synchronized (appendLock) {
            checkOpen();
            return writer.append(payload);
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
        sync.awaitDurable(sequence);
    }

    // ---------------------------------------------------------------- reading back

    /**
     * A reader of this journal's records from {@code fromSequence} on, in bounded chunks (see {@link JournalReader}):
     * a consumer that falls behind reads records back from the files instead of holding them in memory.
     */
    public JournalReader reader(long fromSequence) {
        checkOpen();
        return new JournalReader(this, fromSequence);
    }

    /** The segments now, oldest first (for {@link JournalReader}). */
    List<Segment> segmentSnapshot() {
        synchronized (appendLock) {
            return segments.snapshot();
        }
    }

    // ---------------------------------------------------------------- trimming

    /**
     * Records that every record with a sequence {@code <= sequence} is stored elsewhere, and deletes the closed
     * segments that hold only such records. The active segment is rolled first when it is full and all of it
     * is covered, so a steady stream keeps only about one segment on disk.
     */
    public void trim(long sequence) {
        List<Path> delete;
        synchronized (appendLock) {
            if (closed) {
                return;
            }
            if (sequence > committedSeq) {
                committedSeq = sequence;
            }
            delete = writer.trim(committedSeq);
        }
        writer.delete(delete);
    }

    /**
     * Reads back, in order, the records from sequence {@code from} on that sit in the segment holding {@code from} and
     * were appended before this call; returns how many it handed to {@code handler}. For a reader that follows the
     * appends: call again from the next sequence. Records already trimmed may be gone.
     *
     * @throws JournalException when the segment cannot be read
     */
    public int read(long from, ReplayHandler handler) {
        long last = lastSequence();
        checkOpen();
        try {
            return from > last ? 0 : SegmentReader.read(directory, from, last, handler);
        } catch (IOException e) {
            throw new JournalException("reading journal " + directory + " failed: " + e.getMessage(), e);
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
        return sync.durable();
    }

    /**
     * How many {@code fsync}s of segment files completed since open (flusher, group commits, segment rolls, close).
     */
    public long syncCount() {
        return sync.syncCount();
    }

    /** The sync interval of {@link SyncPolicy#BATCH}'s flusher (set for every policy, used by BATCH only). */
    public Duration syncInterval() {
        return Duration.ofNanos(syncIntervalNanos);
    }

    /** The sequence of the last record appended (or replayed), 0 when none. */
    public long lastSequence() {
        return sync.written();
    }

    /**
     * The highest sequence passed to {@link #trim(long)}, in this run or (through the checkpoint file) an earlier one.
     */
    public long trimmedSequence() {
        return committedSeq;
    }

    /** Segment files on disk now, the active one included. */
    public int segmentCount() {
        synchronized (appendLock) {
            return segments.closedCount() + (closed ? 0 : 1);
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
        sync.stopFlusher();
        synchronized (appendLock) {
            if (closed) {
                return;
            }
            try {
                writer.close(committedSeq);
            } finally {
                closed = true;
                sync.closed();
                lock.release();
            }
        }
    }

    @Override
    public String toString() {
        return "Journal{directory=" + directory + ", syncPolicy="
                + syncPolicy.name().toLowerCase(Locale.ROOT)
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

        /**
         * How far a record is forced before it is acknowledged; see {@link SyncPolicy}. Default:
         * {@link SyncPolicy#BATCH}.
         */
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
         * cuts off and reports a corrupt or torn tail, quarantines the records the handler cannot decode (it throws
         * {@link UndecodableRecordException}) and starts a fresh segment for appends.
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
