package io.agstorage.core.internal.writer;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/**
 * Marks each batch of one writer in its own transaction ({@code writer_batches}: writer id, batch id), so that a
 * connection lost around the COMMIT is settled, not guessed: the next attempt at the same batch inserts the same
 * marker first, which waits for an earlier attempt still holding it and finds it when that one committed. Every
 * {@link #PRUNE_EVERY} batches the writer deletes its own older markers (only the batch in hand can be in doubt)
 * and markers older than a day, of writers gone.
 */
final class BatchMarkers {

    static final int PRUNE_EVERY = 256;

    private final UUID writerId = UUID.randomUUID();
    private final String claimSql;
    private final String pruneSql;

    BatchMarkers(String quotedSchema) {
        this.claimSql = "INSERT INTO " + quotedSchema
                + ".writer_batches (writer_id, batch_id) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING 1";
        this.pruneSql = "DELETE FROM " + quotedSchema
                + ".writer_batches WHERE (writer_id = ? AND batch_id < ?) OR created_at < now() - interval '1 day'";
    }

    UUID writerId() {
        return writerId;
    }

    /**
     * Inserts the batch's marker in the open transaction; false when it is there already (an earlier attempt at the
     * batch committed). Waits for a transaction that holds it, committing or not.
     */
    boolean claim(Connection connection, long batchId) throws SQLException {
        boolean claimed;
        try (PreparedStatement ps = connection.prepareStatement(claimSql)) {
            ps.setObject(1, writerId);
            ps.setLong(2, batchId);
            try (ResultSet rs = ps.executeQuery()) {
                claimed = rs.next();
            }
        }
        if (claimed && batchId % PRUNE_EVERY == 0) {
            try (PreparedStatement ps = connection.prepareStatement(pruneSql)) {
                ps.setObject(1, writerId);
                ps.setLong(2, batchId);
                ps.executeUpdate();
            }
        }
        return claimed;
    }
}
