package io.agstorage.core.spool;

import io.agstorage.core.StorageException;
import io.agstorage.core.internal.SeriesRef;
import io.agstorage.core.internal.SpoolPosition;
import io.agstorage.core.internal.SpoolTarget;
import io.agstorage.core.internal.SpoolTarget.Entries;
import io.agstorage.core.journal.UndecodableRecordException;
import io.agstorage.core.spool.internal.SpoolRecords;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Replays, at open, the records (or the rest of a record) past the position the database holds. */
final class SpoolReplay {
    private final SpoolTarget target;
    private final UUID id;
    private final SpoolPosition committed;
    private final Map<Long, SeriesRef> seriesById = new HashMap<>();
    private long unknown;
    private final List<CompletableFuture<Long>> submitted = new ArrayList<>();
    private long records;
    private long points;

    SpoolReplay(SpoolTarget target, UUID id, SpoolPosition committed) {
        this.target = target;
        this.id = id;
        this.committed = committed;
    }

    void accept(long sequence, byte[] payload) {
        if (sequence < committed.sequence()) {
            return;
        }
        int from = sequence == committed.sequence() ? committed.entries() : 0;
        Entries entries;
        try {
            SpoolRecords.Decoded decoded = SpoolRecords.decode(payload, from, target::series, this::series);
            entries = decoded.entries();
            unknown += decoded.unknownSeries();
        } catch (IllegalArgumentException e) {
            // The journal quarantines it and replays the rest: one bad record must not keep the spool shut.
            throw new UndecodableRecordException("spool record cannot be read: " + e.getMessage(), e);
        }
        if (entries.size() == 0) {
            return;
        }
        records++;
        points += entries.size();
        submitted.add(target.submitSpooled(entries, id, sequence, from));
    }

    private Map<Long, SeriesRef> series(long[] ids) {
        long[] missing =
                Arrays.stream(ids).filter(i -> !seriesById.containsKey(i)).toArray();
        if (missing.length > 0) {
            seriesById.putAll(target.seriesByIds(missing));
        }
        return seriesById;
    }

    /** Records replayed (those with entries the database did not hold). */
    long records() {
        return records;
    }

    /** Points replayed. */
    long points() {
        return points;
    }

    /** Points of the replay skipped because their series id is not in this database. */
    long unknown() {
        return unknown;
    }

    void awaitCommitted(long timeoutMs) {
        try {
            CompletableFuture.allOf(submitted.toArray(CompletableFuture[]::new)).get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new StorageException(
                    "the spool's replay was not committed within ingestion.write_timeout_ms=" + timeoutMs + " ms", e);
        } catch (ExecutionException e) {
            throw new StorageException(
                    "the spool's replay was not committed: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while replaying the spool", e);
        }
    }
}
