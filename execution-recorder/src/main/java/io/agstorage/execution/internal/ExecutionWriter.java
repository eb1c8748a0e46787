package io.agstorage.execution.internal;

import io.agstorage.core.ErrorPolicy;
import io.agstorage.core.Sql;
import io.agstorage.core.journal.Journal;
import io.agstorage.core.logging.ThrottledLog;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that moves journaled records to the database: takes up to {@code batchSize} pending records,
 * writes them in one transaction, then trims the journal up to the last one. When the database cannot take the
 * batch for a reason that is not the records' (down, connection lost, table missing, disk full), the same batch
 * is retried with backoff until it commits — the records stay in the journal meanwhile. When it refuses the data
 * itself (SQLSTATE 22 or 23), the batch is written record by record and a record still refused is dead-lettered:
 * logged at error level, appended, encoded, to {@code dead-letter.log} in the journal directory and inserted into
 * the {@code dead_letters} table ({@link ExecutionDeadLetters}).
 *
 * <p>Memory is bounded (issue #12 item 8): the writer holds at most {@code maxPending} records queued plus one batch.
 * When the queue is full (the database is slower than the callers, or down) the records that follow stay only in
 * the journal, and the writer reads them back from it, a batch at a time, once the queue is empty: the journal is
 * the queue. The replay on start works the same way, from the first record not yet trimmed.
 */
public final class ExecutionWriter {

    private static final Logger log = LoggerFactory.getLogger(ExecutionWriter.class);
    private static final long MIN_BACKOFF_MS = 20;
    private static final long MAX_BACKOFF_MS = 1_000;

    /** A journaled record waiting for the database. */
    public record Pending(long sequence, Object record) {}

    private final ExecutionBatchWriter batchWriter;
    private final Journal journal;
    private final int batchSize;
    private final ExecutionDeadLetters deadLetters;
    private final Consumer<List<Pending>> onCommitted;
    private final ArrayBlockingQueue<Pending> queue;
    /** The lock appends hold while they journal and {@link #enqueue}; guards {@link #spill}'s state. */
    private final Object appendLock;
    /** The records in the journal only (the queue was full, or a replay); read back by the writer thread. */
    private final JournalSpill spill;

    private final Thread thread;
    private final Object commitMonitor = new Object();
    private volatile long committedSeq;
    private volatile boolean stopping;
    private volatile long stopDeadlineNanos = Long.MAX_VALUE;
    private final LongAdder committed = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder deadLettered = new LongAdder();
    private volatile long lastBatchNanos;
    private final ThrottledLog failureLog = new ThrottledLog(log, Duration.ofSeconds(5));

    public ExecutionWriter(
            ExecutionBatchWriter batchWriter,
            Journal journal,
            int batchSize,
            int maxPending,
            Object appendLock,
            String name,
            Consumer<List<Pending>> onCommitted) {
        this.batchWriter = batchWriter;
        this.queue = new ArrayBlockingQueue<>(maxPending);
        this.appendLock = appendLock;
        this.journal = journal;
        this.batchSize = batchSize;
        this.deadLetters = batchWriter.deadLetters(journal.directory().resolve("dead-letter.log"));
        this.onCommitted = onCommitted;
        this.committedSeq = journal.trimmedSequence();
        this.spill = new JournalSpill(journal, appendLock, Math.min(batchSize, maxPending), deadLettered, failureLog);
        this.thread = new Thread(this::run, "ag-storage-execution-writer-" + name);
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /**
     * Queues a journaled record, or leaves it in the journal only when the queue is full or records before it are
     * there already; callers hold the append lock and add records in sequence order.
     */
    public void enqueue(Pending pending) {
        if (!spill.active() && !queue.offer(pending)) {
            spill.startAt(pending.sequence());
        }
    }

    /** Before {@link #start}: the records from {@code sequence} on are in the journal only (a replay). */
    public void resumeFromJournal(long sequence) {
        synchronized (appendLock) {
            spill.startAt(sequence);
        }
    }

    public int pending() {
        return queue.size();
    }

    public long committedSequence() {
        return committedSeq;
    }

    public long committed() {
        return committed.sum();
    }

    public long retries() {
        return retries.sum();
    }

    public long deadLettered() {
        return deadLettered.sum();
    }

    public double lastBatchMillis() {
        return lastBatchNanos / 1e6;
    }

    /** Waits until every record up to {@code sequence} is committed; false on timeout. */
    public boolean awaitCommitted(long sequence, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (commitMonitor) {
            while (committedSeq < sequence) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !thread.isAlive()) {
                    return committedSeq >= sequence;
                }
                TimeUnit.NANOSECONDS.timedWait(commitMonitor, left);
            }
            return true;
        }
    }

    /**
     * Writes what is queued, giving up at {@code deadlineNanos} (what is left stays in the journal for the next
     * start), and stops the thread.
     */
    public void stop(long deadlineNanos) {
        stopDeadlineNanos = deadlineNanos;
        stopping = true;
        // no interrupt: an interrupted JDBC call or pool wait fails as if the database had refused the data
        try {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()) + 1_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean pastStopDeadline() {
        return stopping && System.nanoTime() - stopDeadlineNanos >= 0;
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(batchSize);
        while (true) {
            if (batch.isEmpty() && queue.isEmpty()) {
                spill.readInto(batch);
            }
            if (batch.isEmpty()) {
                Pending first;
                try {
                    first = stopping ? queue.poll() : queue.poll(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    continue; // stop() interrupts; the loop checks `stopping`
                }
                if (first == null) {
                    if (stopping) {
                        return;
                    }
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, batchSize - 1);
            }
            if (!writeWithRetry(batch)) {
                return; // stopping with the database still down: the records stay in the journal
            }
            batch.clear();
        }
    }

    /** Writes the batch until it commits; false when stopping gave up first. */
    private boolean writeWithRetry(List<Pending> batch) {
        List<Object> records = new ArrayList<>(batch.size());
        batch.forEach(p -> records.add(p.record()));
        long backoff = MIN_BACKOFF_MS;
        while (true) {
            long start = System.nanoTime();
            try {
                batchWriter.write(records);
                lastBatchNanos = System.nanoTime() - start;
                committedUpTo(batch);
                return true;
            } catch (SQLException e) {
                if (isRecordError(e)) {
                    log.warn(
                            "Database refused a batch of {} execution records ({}); writing them one by one",
                            batch.size(),
                            reason(e));
                    return writeOneByOne(batch);
                }
                retries.increment();
                failureLog.warn(
                        Sql.isTransient(e)
                                ? "Database unavailable, {} execution records wait in the journal; retrying in {} "
                                        + "ms: {}"
                                : "Database failed (not because of the records), {} execution records wait in the "
                                        + "journal; retrying in {} ms: {}",
                        batch.size() + queue.size() + Math.max(0, journal.lastSequence() - lastOf(batch)),
                        backoff,
                        reason(e));
            } catch (RuntimeException e) {
                log.warn(
                        "Writing a batch of {} execution records failed ({}); writing them one by one",
                        batch.size(),
                        e.toString());
                return writeOneByOne(batch);
            }
            if (!pause(backoff)) {
                return false;
            }
            backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
        }
    }

    private boolean writeOneByOne(List<Pending> batch) {
        for (int i = 0; i < batch.size(); i++) {
            Pending p = batch.get(i);
            long backoff = MIN_BACKOFF_MS;
            while (true) {
                try {
                    batchWriter.write(List.of(p.record()));
                    break;
                } catch (SQLException e) {
                    if (isRecordError(e)) {
                        deadLetter(p, e);
                        break;
                    }
                    retries.increment();
                    failureLog.warn(
                            "Database unavailable while writing record {}, retrying in {} ms: {}",
                            p.sequence(),
                            backoff,
                            reason(e));
                } catch (RuntimeException e) {
                    deadLetter(p, e);
                    break;
                }
                if (!pause(backoff)) {
                    if (i > 0) {
                        committedUpTo(batch.subList(0, i));
                    }
                    return false;
                }
                backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
            }
        }
        committedUpTo(batch);
        return true;
    }

    /**
     * Whether the database refused the data itself, by the shared {@link ErrorPolicy}: SQLSTATE class 22 (data
     * exception) or 23 (integrity constraint violation), so that writing it again can never succeed. Anything else —
     * a lost connection, a read-only server, a cancelled statement, a missing table, a full disk, a permission — is
     * the environment's fault: the records wait in the journal and are retried.
     */
    static boolean isRecordError(SQLException e) {
        return ErrorPolicy.isDataError(e);
    }

    /** The server's own message: a batch failure's first cause rather than pgjdbc's echo of the whole statement. */
    static String reason(Exception e) {
        Throwable t = e;
        if (e instanceof java.sql.BatchUpdateException b && b.getNextException() != null) {
            t = b.getNextException();
        }
        String message = t.getMessage() != null ? t.getMessage() : t.toString();
        if (t instanceof SQLException s && s.getSQLState() != null) {
            message = "SQLSTATE " + s.getSQLState() + ": " + message;
        }
        return message.length() > 500 ? message.substring(0, 500) + "..." : message;
    }

    private static long lastOf(List<Pending> batch) {
        return batch.get(batch.size() - 1).sequence();
    }

    private void committedUpTo(List<Pending> done) {
        long last = done.get(done.size() - 1).sequence();
        committed.add(done.size());
        try {
            journal.trim(last);
        } catch (RuntimeException e) {
            log.warn(
                    "Journal trim failed (the records are committed; they are replayed harmlessly next start): {}",
                    e.getMessage());
        }
        synchronized (commitMonitor) {
            committedSeq = last;
            commitMonitor.notifyAll();
        }
        try {
            onCommitted.accept(done);
        } catch (RuntimeException e) {
            log.warn("Post-commit callback failed: {}", e.toString());
        }
    }

    private void deadLetter(Pending p, Exception e) {
        deadLettered.increment();
        String reason = reason(e);
        log.error(
                "Database refused execution record {} for good; it is NOT in its table: {} -- record: {} (kept in {} "
                        + "and the dead_letters table)",
                p.sequence(),
                reason,
                p.record(),
                deadLetters.file());
        deadLetters.write(p.sequence(), p.record(), e, reason, this::pause, retries::increment);
    }

    /** Sleeps for a backoff; false when stopping and past the stop deadline. */
    private boolean pause(long millis) {
        if (pastStopDeadline()) {
            return false;
        }
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() - until < 0) {
            if (pastStopDeadline()) {
                return false;
            }
            try {
                long left = Math.min(
                        until - System.nanoTime(), stopping ? stopDeadlineNanos - System.nanoTime() : Long.MAX_VALUE);
                if (left > 0) {
                    TimeUnit.NANOSECONDS.sleep(left);
                }
            } catch (InterruptedException e) {
                // stop() interrupts to cut the wait short; re-check the deadline
            }
        }
        return !pastStopDeadline();
    }
}
