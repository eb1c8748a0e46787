package io.agstorage.core.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write side of a {@link Journal}: appends a record (undoing a failed write, or failing closed when it cannot),
 * rolls full segments, drops trimmed ones and forces the files on close. Not thread-safe: every method but
 * {@link #delete(List)} runs under the journal's append lock.
 */
final class JournalWriter {

    /** Logs under {@link Journal}'s name, as before this class was split off. */
    private static final Logger log = LoggerFactory.getLogger(Journal.class);

    private final Path directory;
    private final SyncPolicy syncPolicy;
    private final long segmentBytes;
    private final SegmentFiles segments;
    private final JournalSync sync;
    private final Checkpoint checkpoint;

    JournalWriter(
            Path directory,
            SyncPolicy syncPolicy,
            long segmentBytes,
            SegmentFiles segments,
            JournalSync sync,
            Checkpoint checkpoint) {
        this.directory = directory;
        this.syncPolicy = syncPolicy;
        this.segmentBytes = segmentBytes;
        this.segments = segments;
        this.sync = sync;
        this.checkpoint = checkpoint;
    }

    /** Writes one record and returns its sequence; see {@link Journal#append(byte[])}. */
    long append(byte[] payload) {
        IOException failure = sync.failure();
        if (failure != null) {
            throw new JournalException(
                    "journal fsync failed earlier, refusing new records: " + failure.getMessage(), failure);
        }
        checkUndamaged();
        try {
            if (segments.activeSize() >= segmentBytes) {
                roll();
            }
            long seq = segments.write(payload);
            sync.written(seq);
            return seq;
        } catch (IOException e) {
            Exception damage = segments.damage();
            if (damage != null) {
                log.error(
                        "Journal {}: a failed write left part of a record at the end of {} and cutting it off "
                                + "failed too; refusing new records until it can be cut off: {}",
                        directory,
                        segments.activePath().getFileName(),
                        e.toString());
            }
            throw new JournalException(
                    "journal write to " + segments.activePath() + " failed"
                            + (damage == null ? " (the journal is as it was before it)" : "") + ": " + e,
                    e);
        }
    }

    /**
     * Fails closed while the active segment may end in part of a record (a failed write whose bytes could not be cut
     * off): a record appended after them would never be replayed. Each call tries to cut them off again first.
     */
    private void checkUndamaged() {
        Exception damage = segments.damage();
        if (damage == null) {
            return;
        }
        try {
            segments.repair();
            log.info(
                    "Journal {}: the partial record left by a failed write is cut off; taking records again",
                    directory);
        } catch (IOException | RuntimeException e) {
            JournalException refused = new JournalException("journal " + directory + " refuses new records: a failed "
                    + "write (" + damage + ") left part of a record at the end of " + segments.activePath()
                    + " that cannot be cut off (" + e + "); it takes records again once it can, or after a reopen");
            refused.addSuppressed(damage);
            throw refused;
        }
    }

    /** Closes the active segment (forcing it, unless the policy is NONE) and starts the next. */
    private void roll() throws IOException {
        if (syncPolicy != SyncPolicy.NONE) {
            segments.active().force(false);
            sync.forced(sync.written());
        }
        segments.roll();
    }

    /**
     * For {@link Journal#trim(long)}: rolls the active segment when it is full and all of it is covered by
     * {@code committedSeq}, saves the checkpoint when due, and returns the closed segments to delete.
     */
    List<Path> trim(long committedSeq) {
        try {
            if (committedSeq >= sync.written() && segments.activeSize() >= segmentBytes) {
                roll();
            }
        } catch (IOException e) {
            throw new JournalException("journal roll in " + directory + " failed: " + e.getMessage(), e);
        }
        List<Path> delete = segments.pollCovered(committedSeq);
        checkpoint.maybeWrite(committedSeq);
        return delete;
    }

    /** Deletes trimmed segment files, logging the ones it cannot; needs no lock. */
    void delete(List<Path> trimmed) {
        for (Path p : trimmed) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                log.warn(
                        "Journal {}: cannot delete trimmed segment {}: {}", directory, p.getFileName(), e.getMessage());
            }
        }
    }

    /**
     * For {@link Journal#close()}: forces and closes the active segment, saves the checkpoint and, when every record
     * is trimmed, deletes every segment. A failure is logged, not thrown.
     */
    void close(long committedSeq) {
        try {
            if (segments.damage() != null) {
                segments.repair(); // or the next open cuts the partial record off: nothing follows it
            }
            segments.active().force(false);
            sync.forced(sync.written());
            segments.closeActive();
            checkpoint.writeIfAhead(committedSeq);
            if (committedSeq >= sync.written()) {
                segments.deleteAll();
            }
        } catch (IOException e) {
            log.error("Journal {}: closing failed: {}", directory, e.toString());
        }
    }
}
