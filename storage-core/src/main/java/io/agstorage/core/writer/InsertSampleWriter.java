package io.agstorage.core.writer;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;

/** One multi-row {@code INSERT ... SELECT FROM unnest(...)} per batch, for servers that cannot take COPY. */
final class InsertSampleWriter implements SampleWriter {

    private final String insertSql;

    InsertSampleWriter(String quotedSchema) {
        this.insertSql = "INSERT INTO " + quotedSchema + ".samples (time, series_id, value) "
                + "SELECT 'epoch'::timestamptz + t * INTERVAL '1 microsecond', s, v FROM unnest(?::bigint[], ?::bigint[], ?::float8[]) AS u(t, s, v)";
    }

    @Override
    public void write(Connection connection, long[] epochMicros, long[] seriesIds, double[] values, int n) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(insertSql)) {
            insert.setObject(1, Arrays.copyOf(epochMicros, n));
            insert.setObject(2, Arrays.copyOf(seriesIds, n));
            insert.setObject(3, Arrays.copyOf(values, n));
            insert.executeUpdate();
        }
    }
}
