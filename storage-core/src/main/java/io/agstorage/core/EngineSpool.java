package io.agstorage.core;

import io.agstorage.core.internal.SeriesRef;
import io.agstorage.core.internal.SpoolPosition;
import io.agstorage.core.internal.SpoolTarget;
import io.agstorage.core.internal.SpoolTarget.Entries;
import io.agstorage.core.internal.pipeline.IngestPipeline;
import io.agstorage.core.journal.Journal;
import io.agstorage.core.journal.JournalException;
import io.agstorage.core.journal.SyncPolicy;
import io.agstorage.core.logging.ThrottledLog;
import io.agstorage.core.spool.SampleSpool;
import io.agstorage.core.spool.internal.SpoolRecords;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's own spool ({@code ingestion.spool_directory}): what finds the ring full ({@code record},
 * {@code bufferMetric}, {@code submit}) is appended to a {@link Journal} instead of dropped, and one drainer thread
 * reads the journal back in order and publishes each record into the ring as room returns, marked with its position.
 * The writer commits that position with the rows (as for a {@link SampleSpool}): a record is stored once across a
 * {@code kill -9}, and the backlog of an outage waits on disk, not in the heap. The ring's fast path is untouched:
 * only what would have been dropped comes here.
 */
final class EngineSpool implements IngestPipeline.Overflow {

    private static final Logger log = LoggerFactory.getLogger(EngineSpool.class);
    private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final Ingestion ingestion;
    private final SpoolTarget target;
    private final Journal journal;
    private final UUID id;
    /** Series spooled by id, so that the drainer finds them without asking the database during an outage. */
    private final Map<Long, SeriesRef> seriesById = new ConcurrentHashMap<>();
    /** Futures of submitted batches waiting for their record's commit; guarded by itself for register/complete. */
    private final Map<Long, CompletableFuture<Long>> waiting = new HashMap<>();

    private final LongAdder spooled = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final ThrottledLog failureLog = new ThrottledLog(log, Duration.ofMinutes(1));
    private final Thread drainer;
    private volatile boolean closing;
    /** The next record to publish and the entry to start it at (drainer thread only). */
    private long next;

    private int nextFirstEntry;

    private EngineSpool(Ingestion ingestion, SpoolTarget target, Path directory, String schema) {
        this.ingestion = ingestion;
        this.target = target;
        this.id = spoolId(directory);
        SpoolPosition position = target.spoolPosition(id);
        long[] firstOnDisk = {0};
        try {
            // Records stay on disk: the drainer reads them back one segment at a time (replay streams).
            this.journal = Journal.builder()
                    .directory(directory)
                    .syncPolicy(SyncPolicy.BATCH)
                    .minNextSequence(position.sequence() + 1)
                    .open((sequence, payload) -> {
                        if (firstOnDisk[0] == 0) {
                            firstOnDisk[0] = sequence;
                        }
                    });
        } catch (JournalException e) {
            throw new StorageException("opening ingestion.spool_directory " + directory + ": " + e.getMessage(), e);
        }
        long start = Math.max(position.sequence(), journal.trimmedSequence() + 1);
        if (firstOnDisk[0] == 0) {
            start = journal.lastSequence() + 1;
        } else if (firstOnDisk[0] > start) {
            start = firstOnDisk[0];
        }
        this.next = start;
        this.nextFirstEntry = start == position.sequence() ? position.entries() : 0;
        if (journal.lastSequence() >= start) {
            log.info(
                    "Engine spool {} ({}): replaying records {}..{} the database does not hold",
                    directory,
                    id,
                    start,
                    journal.lastSequence());
        }
        this.drainer = new Thread(this::drain, "ag-storage-spool-" + schema);
        drainer.setDaemon(true);
    }

    /** Opens the spool in {@code directory}; {@link #start()} begins the replay. */
    static EngineSpool open(Ingestion ingestion, SpoolTarget target, Path directory, String schema) {
        return new EngineSpool(ingestion, target, directory, schema);
    }

    void start() {
        drainer.start();
    }

    @Override
    public boolean sample(SeriesRef series, long epochMicros, double value) {
        return append(new Entries(
                        new SeriesRef[] {series}, new long[] {epochMicros}, new double[] {value}, null, null, 1))
                != 0;
    }

    /**
     * Spools a batch the ring has no room for now; the future completes once it is committed. Null when the batch
     * cannot be spooled (larger than half the ring or a journal record, or the journal failing): publish it instead.
     */
    @Nullable
    CompletableFuture<Long> spool(SampleBatch batch) {
        if (batch.size() + 1 > ingestion.pipeline().bufferSize() / 2) {
            return null;
        }
        CompletableFuture<Long> committed = new CompletableFuture<>();
        synchronized (waiting) {
            long sequence = append(target.entries(batch));
            if (sequence == 0) {
                return null;
            }
            waiting.put(sequence, committed);
        }
        return committed;
    }

    /** Appends a record; its sequence, 0 when it could not be spooled. */
    private long append(Entries entries) {
        if (closing) {
            return 0;
        }
        for (int i = 0; i < entries.size(); i++) {
            SeriesRef ref = entries.series()[i];
            if (ref.id() != 0) {
                seriesById.putIfAbsent(ref.id(), ref);
            }
        }
        try {
            byte[] record = SpoolRecords.encode(entries);
            if (record.length > Journal.MAX_RECORD_BYTES) {
                return 0;
            }
            long sequence = journal.append(record);
            spooled.add(entries.size());
            LockSupport.unpark(drainer);
            return sequence;
        } catch (RuntimeException e) {
            failed.add(entries.size());
            failureLog.warn("Engine spool {}: cannot spool, points dropped: {}", journal.directory(), e.toString());
            return 0;
        }
    }

    private void drain() {
        while (!closing) {
            if (next > journal.lastSequence()) {
                LockSupport.parkNanos(IDLE_NANOS);
                continue;
            }
            try {
                if (journal.read(next, this::publish) == 0) {
                    LockSupport.parkNanos(IDLE_NANOS);
                }
            } catch (Closing e) {
                return;
            } catch (RuntimeException e) {
                failureLog.warn(
                        "Engine spool {}: replaying record {} failed, retrying: {}",
                        journal.directory(),
                        next,
                        e.toString());
                LockSupport.parkNanos(RETRY_NANOS);
            }
        }
    }

    /** Publishes one record read back, waiting for room in the ring; the drainer moves on once it is in. */
    private void publish(long sequence, byte[] payload) {
        Entries entries;
        try {
            entries = SpoolRecords.decode(payload, nextFirstEntry, target::series, this::seriesByIds)
                    .entries();
        } catch (IllegalArgumentException e) {
            log.error("Engine spool {}: record {} cannot be read, skipped: {}", journal.directory(), sequence, e);
            settle(sequence, null, e);
            next = sequence + 1;
            nextFirstEntry = 0;
            return;
        }
        CompletableFuture<Long> committed = new CompletableFuture<>();
        if (entries.size() == 0) {
            committed.complete(0L);
        } else {
            while (true) {
                try {
                    ingestion
                            .pipeline()
                            .publishSpooled(
                                    entries.series(),
                                    entries.times(),
                                    entries.values(),
                                    entries.histograms(),
                                    entries.cumulative(),
                                    entries.size(),
                                    id,
                                    sequence,
                                    nextFirstEntry,
                                    committed,
                                    System.nanoTime() + RETRY_NANOS);
                    break;
                } catch (TimeoutException e) {
                    if (closing) {
                        throw new Closing();
                    }
                }
            }
        }
        committed.whenComplete((n, error) -> settle(sequence, n, error));
        next = sequence + 1;
        nextFirstEntry = 0;
    }

    private void settle(long sequence, @Nullable Long committed, @Nullable Throwable error) {
        if (error == null) {
            try {
                journal.trim(sequence);
            } catch (RuntimeException e) {
                failureLog.warn("Engine spool {}: trimming failed: {}", journal.directory(), e.toString());
            }
        }
        CompletableFuture<Long> f;
        synchronized (waiting) {
            f = waiting.remove(sequence);
        }
        if (f != null) {
            if (error != null) {
                f.completeExceptionally(error);
            } else {
                f.complete(committed);
            }
        }
    }

    private Map<Long, SeriesRef> seriesByIds(long[] ids) {
        Map<Long, SeriesRef> found = new HashMap<>();
        long[] missing = Arrays.stream(ids)
                .filter(i -> {
                    SeriesRef ref = seriesById.get(i);
                    if (ref != null) {
                        found.put(i, ref);
                    }
                    return ref == null;
                })
                .toArray();
        if (missing.length > 0) {
            found.putAll(target.seriesByIds(missing));
        }
        return found;
    }

    /** Points spooled since the engine started. */
    long spooledPoints() {
        return spooled.sum();
    }

    /** Stops the drainer (what it has not published stays in the journal for the next start). */
    void stopDraining() {
        closing = true;
        LockSupport.unpark(drainer);
        try {
            drainer.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closes the journal; call after the engine flushed what the drainer published. */
    void close() {
        closing = true;
        journal.close();
    }

    private static UUID spoolId(Path directory) {
        Path file = directory.resolve(SampleSpool.ID_FILE);
        try {
            Files.createDirectories(directory);
            if (Files.exists(file)) {
                return UUID.fromString(
                        Files.readString(file, StandardCharsets.US_ASCII).trim());
            }
            UUID id = UUID.randomUUID();
            Path tmp = directory.resolve(SampleSpool.ID_FILE + ".tmp");
            Files.writeString(tmp, id + "\n", StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            return id;
        } catch (IOException | IllegalArgumentException e) {
            throw new StorageException("ingestion.spool_directory " + directory + " is not usable: " + e, e);
        }
    }

    /** Unwinds the drainer out of a journal read when the engine closes. */
    private static final class Closing extends RuntimeException {
        Closing() {
            super(null, null, false, false);
        }
    }
}
