package io.agstorage.core.internal.writer;

import io.agstorage.core.internal.SpoolPosition;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records, in the transaction of the rows it carries, how far each spool has been committed
 * ({@code spool_watermarks}: the record sequence and how many of its entries); a position never moves back.
 */
final class SpoolWatermarkWriter {

    private static final Logger log = LoggerFactory.getLogger(SpoolWatermarkWriter.class);

    private final String upsertSql;
    private final String positionSql;

    SpoolWatermarkWriter(String quotedSchema) {
        this.upsertSql =
                "INSERT INTO " + quotedSchema + ".spool_watermarks AS w (spool, sequence, entries) VALUES (?, ?, ?) "
                        + "ON CONFLICT (spool) DO UPDATE SET sequence = EXCLUDED.sequence, entries = "
                        + "EXCLUDED.entries, updated_at = now() "
                        + "WHERE (w.sequence, w.entries) < (EXCLUDED.sequence, EXCLUDED.entries) RETURNING 1";
        this.positionSql = "SELECT sequence, entries FROM " + quotedSchema + ".spool_watermarks WHERE spool = ?";
    }

    /**
     * Moves each spool to its position in the open transaction; false when one is there already (an earlier attempt
     * at the same batch committed). Waits for a transaction that holds a spool's row, committing or not.
     *
     * <p>A position further than this batch's cannot come from this spool (its batches commit in order): another
     * spool with the same id, a copied spool directory, is writing. Its rows are written anyway, never silently taken
     * for committed, and the clash is logged at error level.
     */
    boolean advance(Connection connection, Map<UUID, SpoolPosition> positions) throws SQLException {
        try (PreparedStatement upsert = connection.prepareStatement(upsertSql)) {
            for (Map.Entry<UUID, SpoolPosition> e : positions.entrySet()) {
                upsert.setObject(1, e.getKey());
                upsert.setLong(2, e.getValue().sequence());
                upsert.setInt(3, e.getValue().entries());
                try (ResultSet moved = upsert.executeQuery()) {
                    if (moved.next()) {
                        continue;
                    }
                }
                SpoolPosition held = held(connection, e.getKey());
                if (held == null || held.equals(e.getValue())) {
                    return false;
                }
                log.error(
                        "Spool {}: the database holds position {} beyond this batch's {}: another spool with the "
                                + "same id (a copied spool directory?) is writing. Writing the batch anyway; stop one "
                                + "of them and give it a fresh id (delete its spool.id once its journal is empty)",
                        e.getKey(),
                        held,
                        e.getValue());
            }
        }
        return true;
    }

    private @Nullable SpoolPosition held(Connection connection, UUID spool) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(positionSql)) {
            ps.setObject(1, spool);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new SpoolPosition(rs.getLong(1), rs.getInt(2)) : null;
            }
        }
    }
}
