package io.agstorage.core;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Writes rows the database refused for good ({@link ErrorPolicy.Verdict#DATA}) to the {@code dead_letters} table
 * ({@code sql/V007}), one row each, in the caller's transaction: the rest of their batch is written in the same one,
 * so a row is either stored or dead-lettered, never lost. An operator reads them with plain SQL, fixes what the
 * database refused and replays the payload.
 */
public final class DeadLetters {

    /** How much of the server's message is kept. */
    private static final int MAX_MESSAGE = 2_000;

    private final String insertSql;

    /** @param quotedSchema the schema, validated and quoted ({@link Sql#quoteIdentifier}) */
    public DeadLetters(String quotedSchema) {
        this.insertSql = "INSERT INTO " + quotedSchema
                + ".dead_letters (door, series_id, order_id, payload, sqlstate, message) "
                + "VALUES (?, ?, ?, ?::jsonb, ?, ?)";
    }

    /**
     * Adds one refused row.
     *
     * @param door the writer it came through: {@code samples}, {@code histograms}, {@code cumulative},
     *     {@code execution}
     * @param seriesId the series of a metric row, if known
     * @param orderId the order of an execution record, if any
     * @param payloadJson the row as a JSON object
     * @param failure why the database refused it
     */
    public void insert(
            Connection connection,
            String door,
            @Nullable Long seriesId,
            @Nullable UUID orderId,
            String payloadJson,
            Throwable failure)
            throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(insertSql)) {
            ps.setString(1, door);
            if (seriesId != null && seriesId != 0) {
                ps.setLong(2, seriesId);
            } else {
                ps.setNull(2, Types.BIGINT);
            }
            ps.setObject(3, orderId);
            ps.setString(4, payloadJson);
            ps.setString(5, ErrorPolicy.sqlState(failure));
            ps.setString(6, message(failure));
            ps.executeUpdate();
        }
    }

    private static String message(Throwable failure) {
        Throwable t = failure;
        if (failure instanceof java.sql.BatchUpdateException b && b.getNextException() != null) {
            t = b.getNextException();
        }
        String m = t.getMessage() != null ? t.getMessage() : t.toString();
        return m.length() > MAX_MESSAGE ? m.substring(0, MAX_MESSAGE) + "..." : m;
    }
}
