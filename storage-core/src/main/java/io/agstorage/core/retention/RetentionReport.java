package io.agstorage.core.retention;

import io.agstorage.core.TimescaleTier;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * What one {@link RetentionManager#runRetention()} did: rollups refreshed first (so nothing is dropped before it
 * is rolled up), then chunks past retention dropped, then old chunks compressed (TSL tier only).
 *
 * @param startedAt when the run started (database clock)
 * @param duration how long it took
 * @param tier the tier it ran on
 * @param tables per hypertable: retention applied
 * @param rollups per rollup: refresh
 * @param chunksCompressed chunks compressed by this run (always 0 on the Apache edition)
 * @param compressionUnavailable why compression did not run, or null when it did
 */
public record RetentionReport(
        Instant startedAt,
        Duration duration,
        TimescaleTier tier,
        List<TableRetention> tables,
        List<RollupRefresh> rollups,
        int chunksCompressed,
        @Nullable String compressionUnavailable) {

    public RetentionReport {
        tables = List.copyOf(tables);
        rollups = List.copyOf(rollups);
    }

    /**
     * Retention of one hypertable.
     *
     * @param table the hypertable
     * @param retentionDays data older than this many days is dropped, in whole chunks
     * @param chunksDropped chunks dropped by this run
     * @param rowsRemoved rows those chunks held (counted before the drop)
     * @param took time spent on this table
     */
    public record TableRetention(String table, int retentionDays, int chunksDropped, long rowsRemoved, Duration took) {}

    /**
     * Refresh of one rollup.
     *
     * @param rollup its name
     * @param method {@code "incremental"} (Apache edition, ag-storage's own tables) or {@code "refresh policy"}
     *     (TSL tier, the continuous aggregate's job run now)
     * @param rowsWritten rollup rows inserted, changed or deleted; empty on the TSL tier, where TimescaleDB's refresh
     *     does not report it
     * @param took time spent
     */
    public record RollupRefresh(String rollup, String method, OptionalLong rowsWritten, Duration took) {}

    public int totalChunksDropped() {
        return tables.stream().mapToInt(TableRetention::chunksDropped).sum();
    }

    public long totalRowsRemoved() {
        return tables.stream().mapToLong(TableRetention::rowsRemoved).sum();
    }

    /** Rollup rows written by this run, over the rollups that report it. */
    public long totalRollupRowsWritten() {
        return rollups.stream().mapToLong(r -> r.rowsWritten().orElse(0)).sum();
    }

    /** Whether the run changed nothing: no chunk dropped or compressed, no rollup row written. */
    public boolean isNoOp() {
        return totalChunksDropped() == 0
                && totalRowsRemoved() == 0
                && chunksCompressed == 0
                && totalRollupRowsWritten() == 0;
    }

    /** One line for the log. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append("dropped ")
                .append(totalChunksDropped())
                .append(" chunks (")
                .append(totalRowsRemoved())
                .append(" rows)");
        for (TableRetention t : tables) {
            if (t.chunksDropped() > 0) {
                sb.append(' ')
                        .append(t.table())
                        .append('=')
                        .append(t.chunksDropped())
                        .append('/')
                        .append(t.rowsRemoved());
            }
        }
        sb.append("; rollups");
        for (RollupRefresh r : rollups) {
            sb.append(' ')
                    .append(r.rollup())
                    .append('=')
                    .append(r.rowsWritten().isPresent() ? r.rowsWritten().getAsLong() + " rows" : "refreshed");
        }
        sb.append("; compressed ").append(chunksCompressed).append(" chunks");
        if (compressionUnavailable != null) {
            sb.append(" (compression unavailable: ").append(tier).append(" edition)");
        }
        return sb.append("; ").append(duration.toMillis()).append(" ms").toString();
    }
}
