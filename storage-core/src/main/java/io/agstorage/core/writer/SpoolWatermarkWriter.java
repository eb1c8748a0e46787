package io.agstorage.core.writer;

import io.agstorage.core.internal.SpoolPosition;
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

    SpoolWatermarkWriter(String quotedSchema) {
        this.upsertSql =
                "INSERT INTO " + quotedSchema + ".spool_watermarks AS w (spool, sequence, entries) VALUES (?, ?, ?) "
                        + "ON CONFLICT (spool) DO UPDATE SET sequence = EXCLUDED.sequence, entries = "
                        + "EXCLUDED.entries, updated_at = now() "
                        + "WHERE (w.sequence, w.entries) < (EXCLUDED.sequence, EXCLUDED.entries) RETURNING 1";
    }

    /**
     * Moves each spool to its position in the open transaction; false when one is there or further already (an
     * earlier attempt at the same batch committed). Waits for a transaction that holds a spool's row, committing or
     * not.
     */
    boolean advance(Connection connection, Map<UUID, SpoolPosition> positions) throws SQLException {
        try (PreparedStatement upsert = connection.prepareStatement(upsertSql)) {
            for (Map.Entry<UUID, SpoolPosition> e : positions.entrySet()) {
                upsert.setObject(1, e.getKey());
                upsert.setLong(2, e.getValue().sequence());
                upsert.setInt(3, e.getValue().entries());
                try (ResultSet moved = upsert.executeQuery()) {
                    if (!moved.next()) {
                        return false;
                    }
                }
            }
        }
        return true;
    }
}
