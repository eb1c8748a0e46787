package io.agstorage.core.retention.internal;

import io.agstorage.core.Sql;
import io.agstorage.core.retention.RetentionReport.TableRetention;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Deletes the {@code series} rows nothing references any more: no row of {@code samples}, {@code histograms},
 * {@code exemplars}, the metric rollups or {@code cumulative_state} (those that exist) names the series, and no writer
 * has resolved it for the grace period ({@code seen_at}, {@code retention.series_grace_hours}). A writer re-resolves
 * every id it writes at least every 15 minutes and a resolve moves {@code seen_at} forward under the row's lock, which
 * the delete re-checks: a series a writer holds is never deleted (see {@code sql/V011__series_seen_at.sql}).
 */
public final class OrphanSeries {

    /** The relations whose rows keep a series ({@code series_id}), those that exist are checked. */
    static final List<String> REFERENCES =
            List.of("samples", "histograms", "exemplars", "metrics_hourly", "metrics_daily", "cumulative_state");

    private final RowPruning pruning;
    private final SchemaCatalog catalog;
    private final String quotedSchema;

    public OrphanSeries(RowPruning pruning, SchemaCatalog catalog, String quotedSchema) {
        this.pruning = pruning;
        this.catalog = catalog;
        this.quotedSchema = quotedSchema;
    }

    /** Deletes the orphan series unused since {@code now - grace}; reported as table {@code series}. */
    public TableRetention prune(Instant now, Duration grace) throws SQLException {
        long t0 = System.nanoTime();
        List<String> conditions = new ArrayList<>();
        conditions.add("t.seen_at < ?");
        for (String relation : catalog.existing(REFERENCES)) {
            conditions.add("NOT EXISTS (SELECT 1 FROM " + quotedSchema + "." + Sql.quoteIdentifier(relation)
                    + " r WHERE r.series_id = t.id)");
        }
        String sql = RowPruning.batchedDelete(quotedSchema + ".series", String.join(" AND ", conditions));
        long rows = pruning.deleteInBatches(sql, now.minus(grace));
        return new TableRetention("series", (int) grace.toDays(), 0, rows, Duration.ofNanos(System.nanoTime() - t0));
    }

    @Override
    public String toString() {
        return "OrphanSeries[" + quotedSchema + "]";
    }
}
