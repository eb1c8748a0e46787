package io.agstorage.core.writer;

import java.sql.Connection;
import java.sql.SQLException;

/** Moves one batch of (time, series id, value) rows into the samples hypertable, inside the caller's transaction. */
interface SampleWriter {
    void write(Connection connection, long[] epochMicros, long[] seriesIds, double[] values, int n) throws SQLException;
}
