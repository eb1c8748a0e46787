package io.agstorage.core.spool;

import io.agstorage.core.SampleBatch;
import io.agstorage.core.StorageEngine;
import io.agstorage.core.StorageException;
import io.agstorage.core.internal.SpoolPosition;
import io.agstorage.core.internal.SpoolTarget;
import io.agstorage.core.internal.SpoolTarget.Entries;
import io.agstorage.core.journal.Journal;
import io.agstorage.core.journal.JournalException;
import io.agstorage.core.journal.SyncPolicy;
import io.agstorage.core.spool.internal.SpoolRecords;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local spool for producers that answer their clients before the commit, as the OpenTelemetry Collector's
 * persistent queue does: {@link #trySpool} writes a batch to a {@link Journal} record (durable as its
 * {@link SyncPolicy} says) and hands it to the engine's writer, which may wait a few milliseconds for more and then
 * commits many records in one transaction, at close to the database's bulk rate.
 *
 * <p>Exactly once across a crash: how far the spool got (record sequence, entries of it) is committed in the same
 * transaction as the rows ({@code spool_watermarks}, keyed by the spool's id in {@code spool.id}); opening a spool
 * replays only the records, or the rest of a record, that the database does not hold. The journal is trimmed as
 * records are committed. One process per directory (the journal locks it); a spool belongs to one database schema.
 *
 * <p>Series the database already knows are spooled by id; replaying such a record into another database skips the
 * ids it does not hold (counted in {@link #replaySkipped()}).
 *
 * <p>Thread-safe.
 */
public final class SampleSpool implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SampleSpool.class);
    /** The file in a spool directory holding its id. */
    public static final String ID_FILE = "spool.id";

    private static final String DIRECTORY_LINE = "directory ";

    private final StorageEngine engine;
    private final SpoolTarget target;
    private final Journal journal;
    private final UUID id;
    private final ReentrantLock appendLock = new ReentrantLock();
    private final long replayed;
    private final long replaySkipped;
    /** Larger batches are answered after their commit: half the engine's buffer, so one can always find room. */
    private final int maxSpooledPoints;

    private final AtomicLong spooled = new AtomicLong();
    private final AtomicLong journalFailures = new AtomicLong();
    /** Set once the journal failed a write: from then on batches skip it and are answered after their commit. */
    private volatile boolean journalBroken;

    private SampleSpool(StorageEngine engine, Journal journal, UUID id, long replayed, long replaySkipped) {
        this.engine = engine;
        this.target = engine.spoolTarget();
        this.journal = journal;
        this.id = id;
        this.replayed = replayed;
        this.replaySkipped = replaySkipped;
        this.maxSpooledPoints = engine.ingestionStats().bufferSize() / 2;
    }

    /**
     * Opens (creating if needed) the spool in {@code directory}, replays into {@code engine} what the database does
     * not hold yet and waits up to {@code ingestion.write_timeout_ms} for every replayed record to be committed; the
     * journal is trimmed only then.
     *
     * <p>A record that cannot be decoded (its checksum is valid, its format is not this version's) is quarantined by
     * the journal ({@code quarantine-<sequence>.rec} in the directory, logged as an error) and the records after it
     * are replayed: it is not written, and the spool opens.
     *
     * @throws StorageException when the directory or its journal cannot be used, or the replay is not committed in
     *     time (nothing is trimmed: the next open replays it again)
     * @throws IllegalStateException when another spool holds the directory
     */
    public static SampleSpool open(StorageEngine engine, Path directory, SyncPolicy syncPolicy) {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(syncPolicy, "syncPolicy");
        UUID id = spoolId(directory);
        SpoolTarget target = engine.spoolTarget();
        SpoolPosition position = target.spoolPosition(id);
        SpoolReplay replay = new SpoolReplay(target, id, position);
        Journal journal;
        try {
            // Never below what the database holds: a journal tail lost in a machine crash must not hand out its
            // sequences again (their positions would make replay skip the new records).
            journal = Journal.builder()
                    .directory(directory)
                    .syncPolicy(syncPolicy)
                    .minNextSequence(position.sequence() + 1)
                    .open(replay::accept);
        } catch (JournalException e) {
            throw new StorageException("opening the spool in " + directory + ": " + e.getMessage(), e);
        }
        try {
            replay.awaitCommitted(engine.config().writeTimeoutMs());
            journal.trim(journal.lastSequence());
        } catch (RuntimeException e) {
            journal.close();
            throw e;
        }
        if (replay.records() > 0) {
            log.info(
                    "Spool {} ({}): replayed {} records ({} points) the database did not hold; {} points named "
                            + "unknown series",
                    directory,
                    id,
                    replay.records(),
                    replay.points(),
                    replay.unknown());
        }
        return new SampleSpool(engine, journal, id, replay.points(), replay.unknown());
    }

    /**
     * What {@link #trySpool} did with a batch: {@code answer} completes once the client may be answered (at once when
     * the record is in the journal, forced for {@link SyncPolicy#ALWAYS}; after the commit when the batch could not be
     * spooled: larger than half the engine's buffer or than a journal record, or the journal failing);
     * {@code committed} once its points are committed.
     */
    public record Spooled(CompletableFuture<Void> answer, CompletableFuture<Long> committed) {}

    /**
     * Spools a batch: returns null when the engine's buffer had no room for it within
     * {@code ingestion.write_timeout_ms} (nothing was spooled; tell the client to retry later). The batch may be reused
     * once this returns.
     */
    public @Nullable Spooled trySpool(SampleBatch batch) {
        Objects.requireNonNull(batch, "batch");
        if (batch.isEmpty()) {
            CompletableFuture<Long> none = CompletableFuture.completedFuture(0L);
            return new Spooled(none.thenApply(n -> null), none);
        }
        long deadline = System.nanoTime()
                + TimeUnit.MILLISECONDS.toNanos(engine.config().writeTimeoutMs());
        if (journalBroken || batch.size() + 1 > maxSpooledPoints) {
            return afterCommit(engine.submit(batch));
        }
        Entries entries = target.entries(batch);
        byte[] record = SpoolRecords.encode(entries);
        if (record.length > Journal.MAX_RECORD_BYTES) {
            return afterCommit(engine.submit(batch));
        }
        long sequence;
        CompletableFuture<Long> committed;
        // One lock around both, so that the ring holds the records in sequence order: the writer then commits them
        // in that order, and a position it commits covers every record before it. Waiting for it counts against the
        // same deadline as waiting for room in the ring.
        try {
            if (!appendLock.tryLock(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                return null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        try {
            if (journalBroken) {
                return afterCommit(engine.submit(batch));
            }
            sequence = journal.lastSequence() + 1;
            committed = target.trySubmitSpooled(entries, id, sequence, deadline);
            if (committed == null) {
                return null;
            }
            try {
                if (journal.append(record) != sequence) {
                    throw new IllegalStateException(
                            "journal sequence is not " + sequence + " (another writer on the journal?)");
                }
            } catch (RuntimeException e) {
                // The sequence the writer got is not in the journal: later records must not reuse it, so the journal
                // is left alone from now on.
                journalBroken = true;
                journalFailures.incrementAndGet();
                log.error(
                        "Spool {}: journal write failed; from now on requests are answered after their commit: {}",
                        journal.directory(),
                        e.toString());
                return afterCommit(committed);
            }
        } finally {
            appendLock.unlock();
        }
        spooled.addAndGet(batch.size());
        long trimTo = sequence;
        committed.thenRun(() -> trim(trimTo));
        try {
            journal.awaitDurable(sequence);
        } catch (RuntimeException e) {
            journalFailures.incrementAndGet();
            return afterCommit(committed);
        }
        return new Spooled(CompletableFuture.completedFuture(null), committed);
    }

    private static Spooled afterCommit(CompletableFuture<Long> committed) {
        return new Spooled(committed.thenApply(n -> null), committed);
    }

    private void trim(long sequence) {
        try {
            journal.trim(sequence);
        } catch (JournalException e) {
            log.warn(
                    "Spool {}: trimming failed (the records stay on disk; replay skips them): {}",
                    journal.directory(),
                    e.getMessage());
        }
    }

    /** This spool's id, the key of its row in {@code spool_watermarks}. */
    public UUID id() {
        return id;
    }

    /** Points spooled since this spool opened. */
    public long spooledPoints() {
        return spooled.get();
    }

    /** Points replayed when this spool opened (those the database did not hold). */
    public long replayedPoints() {
        return replayed;
    }

    /** Points of the replay skipped because their series id is not in this database. */
    public long replaySkipped() {
        return replaySkipped;
    }

    /**
     * Journal writes or forces that failed (each such batch, and every batch after a failed write, is answered after
     * its commit).
     */
    public long journalFailures() {
        return journalFailures.get();
    }

    /** Records in the journal not yet committed and trimmed (about: trimming follows commits). */
    public long backlog() {
        return journal.lastSequence() - journal.trimmedSequence();
    }

    /** The spool's directory. */
    public Path directory() {
        return journal.directory();
    }

    @Override
    public String toString() {
        return "SampleSpool{" + journal.directory() + ", id=" + id + ", sync=" + journal.syncPolicy() + "}";
    }

    /**
     * Closes the journal. Records not committed by then are replayed by the next {@link #open}; close the producers
     * first and flush the engine before, to leave nothing to replay.
     */
    @Override
    public void close() {
        journal.close();
    }

    /**
     * The spool's id, from {@link #ID_FILE}: its first line, then the line {@code directory <key>} naming the directory
     * it was created in (the file system's key: device and inode). A spool directory copied elsewhere (or restored from
     * a backup) carries the same id as the original: two spools with one id make the database take each other's
     * batches for committed ones, so such a copy is refused, loudly, rather than opened.
     */
    private static UUID spoolId(Path directory) {
        Path file = directory.resolve(ID_FILE);
        try {
            Files.createDirectories(directory);
            String here = directoryKey(directory);
            if (Files.exists(file)) {
                List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
                String text = lines.isEmpty() ? "" : lines.get(0).trim();
                UUID id;
                try {
                    id = UUID.fromString(text);
                } catch (IllegalArgumentException e) {
                    throw new StorageException(file + " must hold a UUID, was '" + text + "'", e);
                }
                String created = lines.size() > 1 && lines.get(1).startsWith(DIRECTORY_LINE)
                        ? lines.get(1).substring(DIRECTORY_LINE.length()).trim()
                        : null;
                if (created == null) {
                    writeId(directory, id, here); // written by an earlier version: remember this directory from now on
                } else if (here != null && !created.equals(here)) {
                    String message = "spool directory " + directory + " holds spool id " + id + " created in another "
                            + "directory (" + created + ", this one is " + here + "): a copy of a spool directory? Two "
                            + "spools with one id would drop each other's batches, so it is not opened. Open the "
                            + "original, or, once nothing is left to replay, delete " + file + " to give this one a "
                            + "fresh id";
                    log.error(message);
                    throw new StorageException(message);
                }
                return id;
            }
            UUID id = UUID.randomUUID();
            writeId(directory, id, here);
            return id;
        } catch (IOException e) {
            throw new StorageException(
                    "spool directory " + directory + " is not usable: " + e.getMessage(), new UncheckedIOException(e));
        }
    }

    private static void writeId(Path directory, UUID id, @Nullable String key) throws IOException {
        Path tmp = directory.resolve(ID_FILE + ".tmp");
        Files.writeString(tmp, id + "\n" + (key != null ? DIRECTORY_LINE + key + "\n" : ""), StandardCharsets.US_ASCII);
        Files.move(tmp, directory.resolve(ID_FILE), StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * The file system's identity of the directory, its inode ({@code ino=N}), or null where it has none. Not the
     * device: its number may change across reboots or container restarts; the inode survives those, and a rename in
     * the same file system, while a copy or a restored backup gets a new one.
     */
    private static @Nullable String directoryKey(Path directory) throws IOException {
        Object key = Files.readAttributes(directory, BasicFileAttributes.class).fileKey();
        if (key == null) {
            return null;
        }
        java.util.regex.Matcher ino =
                java.util.regex.Pattern.compile("ino=(\\d+)").matcher(key.toString());
        return ino.find() ? "ino=" + ino.group(1) : key.toString();
    }
}
