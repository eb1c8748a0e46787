package io.agstorage.core.retention.internal;

import static io.agstorage.core.retention.internal.SchemaCatalog.utc;

import io.agstorage.core.RetentionSchedule;
import io.agstorage.core.Sql;
import io.agstorage.core.retention.PrunedTable;
import io.agstorage.core.retention.RetentionReport.TableRetention;
import io.agstorage.core.retention.RetentionSetting;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Deletes old rows of regular tables, on every tier: those of the contributors' {@link PrunedTable}s past their
 * retention, and the {@code series} nothing references any more ({@link OrphanSeries}). Each table is deleted from in
 * batches of {@link #BATCH} rows, each batch its own auto-committed statement, so no run holds many row locks long.
 */
public final class RowPruning {

    /** Rows deleted per statement. */
    static final int BATCH = 5_000;

    private final DataSource dataSource;
    private final String quotedSchema;
    private final SchemaCatalog catalog;
    private final OrphanSeries series;
    private final Duration seriesGrace;

    public RowPruning(DataSource dataSource, String quotedSchema, SchemaCatalog catalog, RetentionSchedule schedule) {
        this.dataSource = dataSource;
        this.quotedSchema = quotedSchema;
        this.catalog = catalog;
        this.series = new OrphanSeries(this, catalog, quotedSchema);
        this.seriesGrace = schedule.seriesGrace();
    }

    /**
     * Deletes the old rows of those of {@code tables} that exist, in order, each past the days of its setting, then
     * the orphan series ({@link OrphanSeries}, reported as table {@code series}).
     */
    public List<TableRetention> prune(List<PrunedTable> tables, Map<RetentionSetting, Integer> days, Instant now)
            throws SQLException {
        List<String> existing =
                catalog.existing(tables.stream().map(PrunedTable::name).toList());
        List<TableRetention> result = new ArrayList<>();
        for (PrunedTable table : tables) {
            if (existing.contains(table.name())) {
                int d = days.get(table.retention());
                long t0 = System.nanoTime();
                long rows = deleteInBatches(deleteSql(table), now.minus(Duration.ofDays(d)));
                result.add(new TableRetention(table.name(), d, 0, rows, Duration.ofNanos(System.nanoTime() - t0)));
            }
        }
        result.add(series.prune(now, seriesGrace));
        return result;
    }

    private String deleteSql(PrunedTable table) {
        String qualified = quotedSchema + "." + Sql.quoteIdentifier(table.name());
        String where = "t." + Sql.quoteIdentifier(table.timeColumn()) + " < ? AND ("
                + String.format(table.condition(), quotedSchema) + ")";
        return batchedDelete(qualified, where);
    }

    /**
     * {@code DELETE} of at most {@link #BATCH} rows of {@code qualified} (aliased {@code t}) matching {@code where},
     * whose one parameter is the cutoff. {@code where} is also the delete's own condition, which PostgreSQL checks
     * again on the latest version of a row a concurrent transaction changed meanwhile: such a row is deleted only if it
     * still matches.
     */
    static String batchedDelete(String qualified, String where) {
        return "DELETE FROM " + qualified + " t WHERE t.ctid = ANY (ARRAY(SELECT t.ctid FROM " + qualified + " t WHERE "
                + where + " LIMIT " + BATCH + ")) AND " + where;
    }

    /** Runs a {@link #batchedDelete} until a statement deletes less than a batch; returns the rows deleted. */
    long deleteInBatches(String sql, Instant cutoff) throws SQLException {
        long total = 0;
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, utc(cutoff));
            ps.setObject(2, utc(cutoff));
            int n;
            do {
                n = ps.executeUpdate();
                total += n;
            } while (n >= BATCH);
        }
        return total;
    }

    @Override
    public String toString() {
        return "RowPruning[" + quotedSchema + "]";
    }
}
