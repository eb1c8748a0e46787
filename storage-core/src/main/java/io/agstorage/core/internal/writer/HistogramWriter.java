package io.agstorage.core.internal.writer;

import io.agstorage.core.HistogramPoint;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;

/** Inserts histogram snapshots with their bucket arrays; one JDBC batch per writer flush. */
final class HistogramWriter {

    private final String insertSql;

    HistogramWriter(String quotedSchema) {
        this.insertSql =
                "INSERT INTO " + quotedSchema + ".histograms (time, series_id, count, sum, min, max, bucket_bounds, "
                        + "bucket_counts, scale, zero_count, positive_offset, positive_counts, negative_offset, "
                        + "negative_counts) "
                        + "VALUES ('epoch'::timestamptz + ? * INTERVAL '1 microsecond', ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                        + "?, ?, ?, ?)";
    }

    void write(Connection connection, long[] epochMicros, long[] seriesIds, HistogramPoint[] points, int n)
            throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(insertSql)) {
            for (int i = 0; i < n; i++) {
                HistogramPoint h = points[i];
                insert.setLong(1, epochMicros[i]);
                insert.setLong(2, seriesIds[i]);
                insert.setLong(3, h.count());
                setDouble(insert, 4, h.sum());
                setDouble(insert, 5, h.min());
                setDouble(insert, 6, h.max());
                if (h.isExponential()) {
                    insert.setNull(7, Types.ARRAY);
                    insert.setNull(8, Types.ARRAY);
                    insert.setInt(9, h.scale());
                    insert.setLong(10, h.zeroCount());
                    insert.setInt(11, h.positiveOffset());
                    insert.setObject(12, h.positiveCounts());
                    insert.setInt(13, h.negativeOffset());
                    insert.setObject(14, h.negativeCounts());
                } else {
                    insert.setObject(7, h.bucketBounds());
                    insert.setObject(8, h.bucketCounts());
                    insert.setNull(9, Types.INTEGER);
                    insert.setNull(10, Types.BIGINT);
                    insert.setNull(11, Types.INTEGER);
                    insert.setNull(12, Types.ARRAY);
                    insert.setNull(13, Types.INTEGER);
                    insert.setNull(14, Types.ARRAY);
                }
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static void setDouble(PreparedStatement ps, int index, double v) throws SQLException {
        if (Double.isNaN(v)) {
            ps.setNull(index, Types.DOUBLE);
        } else {
            ps.setDouble(index, v);
        }
    }
}
