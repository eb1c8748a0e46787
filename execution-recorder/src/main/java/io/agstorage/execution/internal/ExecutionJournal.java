package io.agstorage.execution.internal;

import io.agstorage.core.StorageEngine;
import io.agstorage.core.StorageException;
import io.agstorage.core.journal.Journal;
import io.agstorage.core.journal.JournalRecovery;
import io.agstorage.core.journal.SyncPolicy;
import io.agstorage.core.journal.UndecodableRecordException;
import io.agstorage.execution.ExecutionStats;
import io.agstorage.execution.ExecutionStore;
import io.agstorage.execution.internal.ExecutionWriter.Pending;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The execution store's path from a call to the database: the journal records are appended to (and replayed from on
 * start) and the {@link ExecutionWriter} that moves them to the database. Thread-safe.
 */
public final class ExecutionJournal {

    private static final Logger log = LoggerFactory.getLogger(ExecutionStore.class);

    private final Journal journal;
    private final ExecutionWriter writer;
    /** Keeps the writer's queue in journal sequence order. */
    private final Object appendLock = new Object();

    private final LongAdder journaled = new LongAdder();
    private final long replayed;
    /**
     * The last record queued for the writer: what {@link #flush} waits for. Not the journal's last sequence, which may
     * be a quarantined record the writer never sees.
     */
    private volatile long lastQueued;

    /**
     * Opens the journal in {@code directory} with {@code settings}, replays it (each order change also to
     * {@code onReplayedOrder}, on this thread), and starts the writer with the replayed records queued.
     *
     * @param engine the database the writer writes to
     * @param maxPending the most records the writer holds in memory; the rest wait in the journal
     * @param onCommitted called by the writer thread with each batch the database committed
     * @throws IllegalStateException when another journal holds the directory
     */
    public ExecutionJournal(
            Journal.Builder settings,
            Path directory,
            StorageEngine engine,
            int batchSize,
            int maxPending,
            Consumer<OrderChange> onReplayedOrder,
            Consumer<List<Pending>> onCommitted) {
        // Replay streams: every record is decoded once (an undecodable one is quarantined by the journal), only the
        // order changes are kept (the order book needs them); the writer reads the records back from the journal a
        // batch at a time. replay = {records, first sequence, last decodable sequence}.
        long[] replay = {0, 0, 0};
        this.journal = settings.directory(directory).open((seq, payload) -> {
            Object record;
            try {
                record = RecordCodec.decode(payload);
            } catch (IllegalArgumentException e) {
                // The journal quarantines it and replays the rest: one bad record must not keep the store shut.
                throw new UndecodableRecordException(e.getMessage(), e);
            }
            if (record instanceof OrderChange c) {
                onReplayedOrder.accept(c);
            }
            if (replay[0]++ == 0) {
                replay[1] = seq;
            }
            replay[2] = seq;
        });
        this.replayed = replay[0];
        // flush() waits for the last record the writer can commit, never for a quarantined one after it
        this.lastQueued = replay[0] > 0 ? replay[2] : journal.trimmedSequence();
        journaled.add(replayed);
        this.writer = new ExecutionWriter(
                new ExecutionBatchWriter(engine.dataSource(), engine.quotedSchema()),
                journal,
                batchSize,
                maxPending,
                appendLock,
                engine.config().schema(),
                onCommitted);
        if (replayed > 0) {
            writer.resumeFromJournal(replay[1]);
        }
        writer.start();
        log.info(
                "ExecutionStore started: journal {} (sync {}), {} records replayed{}",
                directory,
                journal.syncPolicy() == SyncPolicy.BATCH
                        ? "batch every " + journal.syncInterval().toNanos() / 1e6 + " ms"
                        : journal.syncPolicy().name().toLowerCase(Locale.ROOT),
                replayed,
                (journal.recovery().clean()
                                ? ""
                                : ", " + journal.recovery().corruptions().size() + " corrupt region(s) cut off")
                        + (journal.recovery().quarantined().isEmpty()
                                ? ""
                                : ", " + journal.recovery().quarantined().size()
                                        + " undecodable record(s) QUARANTINED (not written; see the errors above)"));
    }

    /** Journals a record (not yet forced: see {@link #awaitDurable}) and queues it for the writer; its sequence. */
    public long append(Object record) {
        byte[] payload = RecordCodec.encode(record);
        synchronized (appendLock) {
            long seq = journal.append(payload);
            writer.enqueue(new Pending(seq, record));
            lastQueued = seq;
            journaled.increment();
            return seq;
        }
    }

    /** Waits as the sync policy says for record {@code sequence}; see {@link Journal#awaitDurable}. */
    public void awaitDurable(long sequence) {
        journal.awaitDurable(sequence);
    }

    /**
     * Waits until every record journaled before this call is committed.
     *
     * @throws StorageException when that takes longer than {@code timeoutMs}
     */
    public void flush(long timeoutMs) {
        long target = lastQueued;
        try {
            if (!writer.awaitCommitted(target, timeoutMs)) {
                throw new StorageException((target - writer.committedSequence())
                        + " execution records not committed within "
                        + "ingestion.write_timeout_ms=" + timeoutMs
                        + " ms; they stay in the journal and are written when "
                        + "the database is reachable");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while waiting for the commit", e);
        }
    }

    /** The counters now. */
    public ExecutionStats stats() {
        long done = writer.committed() + writer.deadLettered();
        return new ExecutionStats(
                journaled.sum(),
                replayed,
                writer.committed(),
                Math.max(0, journaled.sum() - done),
                writer.retries(),
                writer.deadLettered(),
                writer.lastBatchMillis(),
                journal.syncCount(),
                Math.max(0, journal.lastSequence() - journal.durableSequence()));
    }

    public JournalRecovery recovery() {
        return journal.recovery();
    }

    public Journal journal() {
        return journal;
    }

    /**
     * Stops the writer once it wrote what is queued, giving up after {@code timeoutMs} (what is left stays in the
     * journal for the next start), then closes the journal.
     *
     * @return the counters when the writer stopped
     */
    public ExecutionStats close(long timeoutMs) {
        writer.stop(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs));
        ExecutionStats s = stats();
        journal.close();
        return s;
    }

    /** Logs how closing went: {@code s} is what {@link #close} returned. */
    public void logClosed(ExecutionStats s) {
        if (s.pending() > 0) {
            log.warn(
                    "ExecutionStore closed with {} records not yet in the database; they stay in journal {} "
                            + "for the next start",
                    s.pending(),
                    journal.directory());
        } else {
            log.info("ExecutionStore closed: {} records committed, {} dead-lettered", s.committed(), s.deadLettered());
        }
    }
}
