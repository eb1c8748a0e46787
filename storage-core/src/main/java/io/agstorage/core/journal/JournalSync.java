package io.agstorage.core.journal;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How far a journal's records are forced ({@code fsync}): tracks the written and durable sequences, runs
 * {@link SyncPolicy#BATCH}'s background flusher and {@link SyncPolicy#ALWAYS}'s group commit, and remembers a failed
 * {@code fsync} (after which the journal refuses new records). Thread-safe.
 */
final class JournalSync {

    private static final Logger log = LoggerFactory.getLogger(Journal.class);

    private final Path directory;
    private final SyncPolicy policy;
    private final long intervalNanos;
    /** The journal's append lock: the active channel and the written sequence are read together under it. */
    private final Object appendLock;

    private final Supplier<FileChannel> activeChannel;

    private final Object monitor = new Object();
    private volatile long writtenSeq;
    private volatile long durableSeq;
    /** Whether a caller of awaitDurable is forcing the file now (the group commit's leader). */
    private boolean syncing;

    private volatile @Nullable IOException failure;
    private final AtomicLong syncs = new AtomicLong();
    /** The BATCH policy's background flusher; null for the other policies. */
    private final @Nullable Thread flusher;

    private volatile boolean closed;
    /** Tells the flusher to stop; set by {@link #stopFlusher()} before the journal forces and closes the files. */
    private volatile boolean stopping;

    /**
     * @param activeChannel the active segment's channel, read under {@code appendLock}
     * @param durable the last sequence on the device when the journal opened (everything found there)
     */
    JournalSync(
            Path directory,
            SyncPolicy policy,
            long intervalNanos,
            Object appendLock,
            Supplier<FileChannel> activeChannel,
            long durable) {
        this.directory = directory;
        this.policy = policy;
        this.intervalNanos = intervalNanos;
        this.appendLock = appendLock;
        this.activeChannel = activeChannel;
        this.writtenSeq = durable;
        this.durableSeq = durable;
        if (policy == SyncPolicy.BATCH) {
            Thread t = new Thread(this::flushLoop, "ag-journal-sync-" + directory.getFileName());
            t.setDaemon(true);
            this.flusher = t;
        } else {
            this.flusher = null;
        }
    }

    /** Starts the BATCH flusher, if any. */
    void start() {
        if (flusher != null) {
            flusher.start();
        }
    }

    /** Records that {@code sequence} was written to the active segment; the caller holds the append lock. */
    void written(long sequence) {
        writtenSeq = sequence;
    }

    long written() {
        return writtenSeq;
    }

    long durable() {
        return durableSeq;
    }

    long syncCount() {
        return syncs.get();
    }

    /** The failure of an earlier {@code fsync}, or null. */
    @Nullable
    IOException failure() {
        return failure;
    }

    /** Records an {@code fsync} of a segment the journal forced itself (roll, close) covering {@code sequence}. */
    void forced(long sequence) {
        syncs.incrementAndGet();
        markDurable(sequence);
    }

    /** See {@link Journal#awaitDurable(long)}. */
    void awaitDurable(long sequence) {
        if (policy != SyncPolicy.ALWAYS || durableSeq >= sequence) {
            return;
        }
        boolean interrupted = false;
        try {
            while (true) {
                synchronized (monitor) {
                    while (syncing && durableSeq < sequence) {
                        checkSyncable(sequence);
                        try {
                            monitor.wait();
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
                synchronized (monitor) {
                    syncing = false;
                    if (target > durableSeq) {
                        durableSeq = target;
                    }
                    monitor.notifyAll();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void checkSyncable(long sequence) {
        IOException f = failure;
        if (f != null) {
            throw new JournalException("journal fsync failed: " + f.getMessage(), f);
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
            ch = activeChannel.get();
            target = writtenSeq;
        }
        try {
            ch.force(false);
            syncs.incrementAndGet();
            return target;
        } catch (ClosedChannelException e) {
            // rolled or closed meanwhile: the journal forces everything it closes
            return durableSeq;
        } catch (IOException e) {
            log.error(
                    "Journal {}: fsync failed, records after sequence {} may not be durable: {}",
                    directory,
                    durableSeq,
                    e.getMessage());
            failure = e;
            return durableSeq;
        }
    }

    /**
     * The BATCH flusher: every sync interval, forces the active segment when records were written since the last
     * force. A tick's deadline is set before its {@code fsync}, so a record is forced at most one interval plus one
     * {@code fsync} after it was written. Stops when the journal closes or an fsync fails.
     */
    private void flushLoop() {
        long deadline = System.nanoTime() + intervalNanos;
        while (!stopping && !closed) {
            long wait = deadline - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(this, wait);
                continue;
            }
            deadline = System.nanoTime() + intervalNanos;
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
                if (failure != null) {
                    return; // forceWritten logged it; append refuses new records from now on
                }
            }
        }
    }

    private void markDurable(long seq) {
        synchronized (monitor) {
            if (seq > durableSeq) {
                durableSeq = seq;
            }
            monitor.notifyAll();
        }
    }

    /** Stops the flusher, waiting at most 10 s for an {@code fsync} it has in flight. */
    void stopFlusher() {
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
    }

    /** The journal closed: wakes the callers of awaitDurable, which fail unless their record was forced. */
    void closed() {
        closed = true;
        synchronized (monitor) {
            monitor.notifyAll();
        }
    }
}
