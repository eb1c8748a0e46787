package io.agstorage.core.internal.writer;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Moves (time, series id, value) rows into the samples hypertable inside the caller's open transaction. Rows
 * may arrive in several {@link #append} calls before {@link #end}, so the database works on the first rows
 * while later ones are still being produced. One instance serves one thread.
 */
interface SampleWriter {

    /** Sends rows {@code [from, to)}; the first call after {@link #end} or {@link #abort} starts a new statement. */
    void append(Connection connection, long[] epochMicros, long[] seriesIds, double[] values, int from, int to)
            throws SQLException;

    /** Completes the statement so that every appended row is in the transaction; a no-op when nothing was appended. */
    void end() throws SQLException;

    /**
     * Whether everything appended until {@link #end} is one statement, so that on an auto-commit connection the
     * statement is its own transaction: all rows or none.
     */
    boolean appendsFormOneStatement();

    /** Abandons the statement after a failure; the caller rolls the transaction back. Never throws. */
    void abort();
}
