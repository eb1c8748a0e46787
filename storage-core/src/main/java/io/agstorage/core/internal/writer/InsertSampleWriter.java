package io.agstorage.core.internal.writer;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;

/** One multi-row {@code INSERT ... SELECT FROM unnest(...)} per append, for servers that cannot take COPY. */
final class InsertSampleWriter implements SampleWriter {

    private final String insertSql;

    InsertSampleWriter(String quotedSchema) {
        this.insertSql = "INSERT INTO " + quotedSchema + ".samples (time, series_id, value) "
                + "SELECT 'epoch'::timestamptz + t * INTERVAL '1 microsecond', s, v FROM unnest(?::bigint[], "
                + "?::bigint[], ?::float8[]) AS u(t, s, v)";
    }

    @Override
    public void append(Connection connection, long[] epochMicros, long[] seriesIds, double[] values, int from, int to)
            throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(insertSql)) {
            insert.setObject(1, Arrays.copyOfRange(epochMicros, from, to));
            insert.setObject(2, Arrays.copyOfRange(seriesIds, from, to));
            insert.setObject(3, Arrays.copyOfRange(values, from, to));
            insert.executeUpdate();
        }
    }

    @Override
    public boolean appendsFormOneStatement() {
        return false;
    }

    @Override
    public void end() {
        // Each append is a complete statement.
    }

    @Override
    public void abort() {
        // Nothing is left open between appends.
    }
}
