package io.agstorage.execution.internal;

import io.agstorage.core.journal.Journal;
import io.agstorage.core.journal.JournalReader;
import io.agstorage.core.logging.ThrottledLog;
import io.agstorage.execution.internal.ExecutionWriter.Pending;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The records of an {@link ExecutionWriter} that are in the journal only, because its queue was full when they were
 * appended (or because they are being replayed on start): remembers the first of them and reads them back from the
 * journal, a batch at a time, until it has caught up with the last record appended. The journal is the queue.
 */
final class JournalSpill {

    /** The writer's logger: what this class logs is the writer's. */
    private static final Logger log = LoggerFactory.getLogger(ExecutionWriter.class);

    private final Journal journal;
    /** The lock appends hold while they journal and enqueue; guards {@link #spillFrom}. */
    private final Object appendLock;

    private final int maxRead;
    private final LongAdder deadLettered;
    private final ThrottledLog failureLog;
    /** The first record that is in the journal only (the queue was full), 0 while every record is queued. */
    private long spillFrom;
    /** Reads spilled records back; the writer thread's only. */
    private @Nullable JournalReader reader;

    /**
     * @param maxRead the most records one {@link #readInto} reads
     * @param deadLettered counts the records that cannot be decoded (skipped)
     * @param failureLog where a failed read is reported (shared with the writer's other failures)
     */
    JournalSpill(Journal journal, Object appendLock, int maxRead, LongAdder deadLettered, ThrottledLog failureLog) {
        this.journal = journal;
        this.appendLock = appendLock;
        this.maxRead = maxRead;
        this.deadLettered = deadLettered;
        this.failureLog = failureLog;
    }

    /** Whether records are in the journal only; the caller holds the append lock. */
    boolean active() {
        return spillFrom != 0;
    }

    /** The records from {@code sequence} on are in the journal only; the caller holds the append lock. */
    void startAt(long sequence) {
        spillFrom = sequence;
    }

    /**
     * Reads the next records that are in the journal only into {@code batch}; switches back to queueing once it
     * has read up to the last record appended. Called only when the queue is empty: queued records come first.
     */
    void readInto(List<Pending> batch) {
        long from;
        synchronized (appendLock) {
            from = spillFrom;
        }
        if (from == 0) {
            return;
        }
        JournalReader r;
        try {
            if (reader == null) {
                reader = journal.reader(from);
            }
            r = reader;
            r.read(maxRead, (seq, payload) -> {
                Object record;
                try {
                    record = RecordCodec.decode(payload);
                } catch (RuntimeException e) {
                    deadLettered.increment();
                    log.error("Journal record {} cannot be decoded, skipped: {}", seq, e.getMessage());
                    return;
                }
                batch.add(new Pending(seq, record));
            });
        } catch (RuntimeException e) {
            failureLog.warn("Reading execution records back from the journal failed, retrying: {}", e.toString());
            return;
        }
        long last = r.nextSequence() - 1;
        synchronized (appendLock) {
            if (journal.lastSequence() <= last) {
                spillFrom = 0; // caught up: the next append is queued
                r.close();
                reader = null;
            } else {
                spillFrom = last + 1;
            }
        }
    }
}
