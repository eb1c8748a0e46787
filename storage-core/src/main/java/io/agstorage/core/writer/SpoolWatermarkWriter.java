package io.agstorage.core.writer;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;

/**
 * Records, in the transaction of the rows it carries, how far each spool has been committed
 * ({@code spool_watermarks}: the record sequence and how many of its entries); a position never moves back.
 */
final class SpoolWatermarkWriter {

    private final String upsertSql;
    private final String reachedSql;

    SpoolWatermarkWriter(String quotedSchema) {
        this.upsertSql = "INSERT INTO " + quotedSchema + ".spool_watermarks AS w (spool, sequence, entries) VALUES (?, ?, ?) "
                + "ON CONFLICT (spool) DO UPDATE SET sequence = EXCLUDED.sequence, entries = EXCLUDED.entries, updated_at = now() "
                + "WHERE (w.sequence, w.entries) < (EXCLUDED.sequence, EXCLUDED.entries)";
        this.reachedSql = "SELECT count(*) FROM " + quotedSchema + ".spool_watermarks WHERE spool = ? AND (sequence, entries) >= (?, ?)";
    }

    /** Whether the database holds {@code spool} at {@code position} or further. */
    boolean reached(Connection connection, UUID spool, SampleStore.SpoolPosition position) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(reachedSql)) {
            select.setObject(1, spool);
            select.setLong(2, position.sequence());
            select.setInt(3, position.entries());
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() && rs.getLong(1) > 0;
            }
        }
    }

    void write(Connection connection, Map<UUID, SampleStore.SpoolPosition> positions) throws SQLException {
        try (PreparedStatement upsert = connection.prepareStatement(upsertSql)) {
            for (Map.Entry<UUID, SampleStore.SpoolPosition> e : positions.entrySet()) {
                upsert.setObject(1, e.getKey());
                upsert.setLong(2, e.getValue().sequence());
                upsert.setInt(3, e.getValue().entries());
                upsert.addBatch();
            }
            upsert.executeBatch();
        }
    }
}
