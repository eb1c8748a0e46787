package io.agstorage.core.retention;

import io.agstorage.core.Sql;
import java.util.Objects;

/**
 * A regular table a {@link RetentionContributor} hands to retention: its rows whose {@code timeColumn} is older than
 * the days of {@code retention} and that match {@code condition} are deleted by each run (in batches, after the
 * hypertables' old chunks are dropped, on every tier). Nothing happens to a table that does not exist in the schema.
 *
 * <pre>{@code
 * // finished orders with no events or fills left (their chunks were dropped first)
 * new PrunedTable("orders", RetentionSetting.EXECUTIONS, "updated_at",
 *         "t.status IN ('FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED') "
 *                 + "AND NOT EXISTS (SELECT 1 FROM %1$s.fills f WHERE f.order_id = t.id)")
 * }</pre>
 *
 * @param name the table, in the engine's schema ({@code [a-z_][a-z0-9_]*})
 * @param retention the setting that decides how long its rows are kept
 * @param timeColumn the column compared with the cutoff
 * @param condition a constant SQL condition of the contributor's own code (never user input) that a row must also
 *     meet; the table is aliased {@code t}, and {@code %1$s} stands for the quoted schema
 */
public record PrunedTable(String name, RetentionSetting retention, String timeColumn, String condition) {

    /** @throws IllegalArgumentException when a name is not a plain lower-case SQL identifier */
    public PrunedTable {
        Sql.quoteIdentifier(Objects.requireNonNull(name, "name"));
        Objects.requireNonNull(retention, "retention");
        Sql.quoteIdentifier(Objects.requireNonNull(timeColumn, "timeColumn"));
        Objects.requireNonNull(condition, "condition");
    }
}
