package io.agstorage.execution.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@code fill_keys} as long as {@code fills}: deletes the keys older than the oldest chunk of {@code fills}.
 * Such a key's fill row is gone (no chunk can hold it), whichever retention dropped it — native policy, our
 * {@code drop_chunks} or an operator — so the table never outgrows the fills it identifies. Runs after the first
 * batch a writer commits, then at most once an hour, in its own short transaction; a failure is logged and retried
 * at the next turn, never charged to the batch.
 */
final class FillKeyPruner {

    private static final Logger log = LoggerFactory.getLogger(FillKeyPruner.class);
    private static final long INTERVAL_NANOS = TimeUnit.HOURS.toNanos(1);

    private final DataSource dataSource;
    private final String delete;
    private final String fillsTable;
    private long lastRunNanos;
    private boolean ran;

    FillKeyPruner(DataSource dataSource, String quotedSchema) {
        this.dataSource = dataSource;
        this.fillsTable = quotedSchema + ".fills";
        // the bound table name is parsed as a regclass, never spliced into the statement
        this.delete = "DELETE FROM " + quotedSchema + ".fill_keys WHERE venue_trade_time < ("
                + "SELECT coalesce(min(c.range_start), 'infinity') FROM timescaledb_information.chunks c "
                + "JOIN pg_class r ON r.relname = c.hypertable_name "
                + "JOIN pg_namespace n ON n.oid = r.relnamespace AND n.nspname = c.hypertable_schema "
                + "WHERE r.oid = ?::regclass)";
    }

    /** Prunes when an hour has passed since the last run (or it never ran); called by the writer thread only. */
    void pruneIfDue() {
        long now = System.nanoTime();
        if (ran && now - lastRunNanos < INTERVAL_NANOS) {
            return;
        }
        ran = true;
        lastRunNanos = now;
        try {
            int deleted = prune();
            if (deleted > 0) {
                log.info("Deleted {} fill keys older than every chunk of {}", deleted, fillsTable);
            }
        } catch (SQLException | RuntimeException e) {
            log.warn("Pruning fill keys failed (retried in an hour): {}", ExecutionWriter.reason(e));
        }
    }

    /** Deletes the keys whose fill no chunk of {@code fills} can hold; returns how many. */
    int prune() throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(delete)) {
            ps.setString(1, fillsTable);
            return ps.executeUpdate();
        }
    }
}
