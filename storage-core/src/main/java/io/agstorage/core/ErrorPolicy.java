package io.agstorage.core;

import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The one error policy of every ag-storage writer (the engine's batch writer, its direct writer, the execution
 * writer): what a database failure means for the rows being written.
 *
 * <ul>
 *   <li>{@link Verdict#DATA}: the database refused the data itself, SQLSTATE class {@code 22} (data exception) or
 *       {@code 23} (integrity constraint violation). Writing the same rows again can never succeed: the writer
 *       isolates the offending rows (splitting the batch until they are found), dead-letters only those (table
 *       {@code dead_letters}) and writes the rest.
 *   <li>{@link Verdict#RETRY}: anything else, whether a lost connection (08), a resource limit (53), a restart
 *       (57P), a serialization failure (40), a read-only server after a failover (25006), a cancelled statement or
 *       {@code statement_timeout} (57014), a revoked privilege (42501), or a failure without a SQLSTATE. It is the
 *       environment's fault: the writer keeps the rows and retries with {@link #nextBackoffNanos bounded exponential
 *       backoff} for as long as it runs, and never moves a spool position or trims a journal past them.
 * </ul>
 */
public final class ErrorPolicy {

    /** What to do with the rows of a failed write. */
    public enum Verdict {
        /** The rows themselves are refused: isolate and dead-letter them, write the rest. */
        DATA,
        /** The environment failed: keep the rows and retry later. */
        RETRY
    }

    /** The first pause after a failed write. */
    public static final long INITIAL_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /** The longest pause between two attempts at the same write. */
    public static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(2);

    private ErrorPolicy() {}

    /** The verdict on a failed write ({@code failure} may be any throwable; only SQLSTATEs 22 and 23 are data). */
    public static Verdict classify(Throwable failure) {
        String state = sqlState(failure);
        if (state != null && (state.startsWith("22") || state.startsWith("23"))) {
            return Verdict.DATA;
        }
        return Verdict.RETRY;
    }

    /** Whether {@link #classify} says {@link Verdict#DATA}. */
    public static boolean isDataError(Throwable failure) {
        return classify(failure) == Verdict.DATA;
    }

    /**
     * The SQLSTATE the server gave: of a batch's first failing statement (its next exception), else of the first
     * {@link SQLException} in the cause chain that has one; null when none has.
     */
    public static @Nullable String sqlState(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof BatchUpdateException b
                    && b.getNextException() != null
                    && b.getNextException().getSQLState() != null) {
                return b.getNextException().getSQLState();
            }
            if (t instanceof SQLException s && s.getSQLState() != null) {
                return s.getSQLState();
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    /** The pause after one that lasted {@code current}: doubled, at most {@link #MAX_BACKOFF_NANOS}. */
    public static long nextBackoffNanos(long current) {
        return Math.min(Math.max(current, INITIAL_BACKOFF_NANOS / 2) * 2, MAX_BACKOFF_NANOS);
    }
}
