package io.agstorage.core.internal.writer;

import io.agstorage.core.internal.SpoolPosition;
import io.agstorage.core.internal.pipeline.SampleEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The writer's bookkeeping of spooled records in its pending batch. A record arrives as its
 * {@link SampleEvent#SPOOL_MARK} followed by its entries; its client already has its answer, so the batch may wait
 * {@link BatchWriter#SPOOL_LINGER_MS} for more when it holds nothing else. How far each spool got (record sequence,
 * entries of it) is written in the batch's transaction, and a record's future completes with the batch that holds its
 * last entry. Used by the writer thread only.
 */
final class SpoolProgress {

    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(BatchWriter.SPOOL_LINGER_MS);

    /** The spooled record whose entries are arriving, and how many of them are still to come. */
    private @Nullable Record record;

    private int recordRemaining;
    /** The records with entries in the pending batch, in ring order. */
    private final List<Record> inBatch = new ArrayList<>();
    /** The records whose last entry is in the pending batch. */
    private final List<Record> done = new ArrayList<>();
    /** Pending entries of no spooled record: someone may be waiting for them, so no lingering. */
    private long unspooledPending;

    /** A {@link SampleEvent#SPOOL_MARK}: the next entries are those of its record. */
    void recordStarts(SampleEvent mark) {
        record = new Record(mark.spool(), mark.spoolSequence(), mark.spoolFirstEntry(), mark.barrier());
        recordRemaining = mark.spoolEntries();
    }

    /** Counts an entry just added: one more of the record in progress (done after its last), or an unspooled one. */
    void entryAdded() {
        Record r = record;
        if (r == null) {
            unspooledPending++;
            return;
        }
        r.entries++;
        if (inBatch.isEmpty() || inBatch.get(inBatch.size() - 1) != r) {
            inBatch.add(r);
        }
        if (--recordRemaining == 0) {
            done.add(r);
            record = null;
        }
    }

    /** Whether every entry pending came from a spool (whose clients already have their answers). */
    boolean onlySpooled() {
        return unspooledPending == 0;
    }

    /** Whether the pending batch, pending for {@code pendingNanos}, may wait for more: it holds only spooled data. */
    boolean mayLinger(long pendingNanos) {
        return unspooledPending == 0 && pendingNanos < LINGER_NANOS;
    }

    /** Whether the pending batch holds only spooled data that has waited its linger. */
    boolean lingered(long pendingNanos) {
        return unspooledPending == 0 && pendingNanos >= LINGER_NANOS;
    }

    /** Each spool's furthest position in the pending batch, as of now; empty when it holds no spooled entry. */
    Map<UUID, SpoolPosition> positions() {
        if (inBatch.isEmpty()) {
            return Map.of();
        }
        Map<UUID, SpoolPosition> positions = new HashMap<>();
        for (Record r : inBatch) {
            positions.put(r.spool, new SpoolPosition(r.sequence, r.entries));
        }
        return positions;
    }

    /** The pending batch is committed ({@code committedTotal}: the writer's total since start); starts the next. */
    void committed(long committedTotal) {
        for (Record r : done) {
            r.committed.complete(committedTotal);
        }
        clear();
    }

    /** The pending batch was dropped; starts the next. */
    void failed(Exception failure) {
        for (Record r : done) {
            r.committed.completeExceptionally(failure);
        }
        if (record != null) {
            // The rest of a record whose first entries were just refused cannot make it whole.
            record.committed.completeExceptionally(failure);
        }
        clear();
    }

    private void clear() {
        inBatch.clear();
        done.clear();
        unspooledPending = 0;
    }

    /** A spooled record whose entries the writer is collecting; {@code entries}: its index after the last one seen. */
    private static final class Record {
        final UUID spool;
        final long sequence;
        final CompletableFuture<Long> committed;
        int entries;

        Record(UUID spool, long sequence, int firstEntry, CompletableFuture<Long> committed) {
            this.spool = spool;
            this.sequence = sequence;
            this.entries = firstEntry;
            this.committed = committed;
        }
    }
}
