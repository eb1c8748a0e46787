package io.agstorage.core.retention.internal;

import static io.agstorage.core.retention.internal.SchemaCatalog.utc;

import io.agstorage.core.Sql;
import io.agstorage.core.retention.RetainedTable;
import io.agstorage.core.retention.RetentionReport.TableRetention;
import io.agstorage.core.retention.RetentionSetting;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Drops the chunks of one hypertable whose whole range is past retention and measures what went: by
 * {@code drop_chunks} on the Apache edition, by running the table's native retention policy now on the TSL tier.
 * Rows are counted before and after, up to the newest dropped chunk's end, so the report says what was removed.
 */
public final class ChunkRetention {

    private final DataSource dataSource;
    private final String schema;
    private final String quotedSchema;
    private final SchemaCatalog catalog;
    private final @Nullable TslObjects tsl;

    /** {@code tsl} is null on the Apache edition. */
    public ChunkRetention(
            DataSource dataSource,
            String schema,
            String quotedSchema,
            SchemaCatalog catalog,
            @Nullable TslObjects tsl) {
        this.dataSource = dataSource;
        this.schema = schema;
        this.quotedSchema = quotedSchema;
        this.catalog = catalog;
        this.tsl = tsl;
    }

    /**
     * Applies retention to those of {@code tables} that exist, in order, each for the days of its setting.
     *
     * @param policyJobs a table's retention policy job (TSL tier), or null
     */
    public List<TableRetention> dropOld(
            List<RetainedTable> tables,
            Map<RetentionSetting, Integer> days,
            Instant now,
            Function<String, @Nullable Integer> policyJobs)
            throws SQLException {
        List<String> existing =
                catalog.existing(tables.stream().map(RetainedTable::name).toList());
        List<TableRetention> result = new ArrayList<>();
        for (RetainedTable table : tables) {
            if (existing.contains(table.name())) {
                result.add(dropOld(table.name(), days.get(table.retention()), now, policyJobs.apply(table.name())));
            }
        }
        return result;
    }

    /**
     * Drops what of {@code table} is older than {@code days} at {@code now}.
     *
     * @param policyJob the table's retention policy job (TSL tier; ignored on the Apache edition)
     * @throws IllegalStateException on the TSL tier when there is old data but no policy job
     */
    public TableRetention dropOld(String table, int days, Instant now, @Nullable Integer policyJob)
            throws SQLException {
        long t0 = System.nanoTime();
        Instant cutoff = now.minus(Duration.ofDays(days));
        String qualified = quotedSchema + "." + Sql.quoteIdentifier(table);
        try (Connection c = dataSource.getConnection()) {
            Chunks before = oldChunks(c, table, cutoff);
            if (before.count() == 0) {
                return new TableRetention(table, days, 0, 0, Duration.ofNanos(System.nanoTime() - t0));
            }
            String timeColumn = Sql.quoteIdentifier(timeColumn(c, table));
            String countSql = "SELECT count(*) FROM " + qualified + " WHERE " + timeColumn + " < ?";
            long rowsBefore = count(c, countSql, before.boundary());
            if (tsl != null) {
                if (policyJob == null) {
                    throw new IllegalStateException(
                            "no retention policy on " + schema + "." + table + "; call install() first");
                }
                tsl.runJob(policyJob);
            } else {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT count(*) FROM drop_chunks(?::regclass, older_than => ?::timestamptz)")) {
                    ps.setString(1, qualified);
                    ps.setObject(2, utc(cutoff));
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                    }
                }
            }
            Chunks after = oldChunks(c, table, before.boundary());
            long rowsAfter = after.count() == 0 ? 0 : count(c, countSql, before.boundary());
            return new TableRetention(
                    table,
                    days,
                    before.count() - after.count(),
                    rowsBefore - rowsAfter,
                    Duration.ofNanos(System.nanoTime() - t0));
        }
    }

    private record Chunks(int count, Instant boundary) {}

    private Chunks oldChunks(Connection c, String table, Instant cutoff) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT count(*), max(range_end) FROM timescaledb_information.chunks "
                        + "WHERE hypertable_schema = ? AND hypertable_name = ? AND range_end <= ?")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            ps.setObject(3, utc(cutoff));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                int n = rs.getInt(1);
                OffsetDateTime end = rs.getObject(2, OffsetDateTime.class);
                return new Chunks(n, end == null ? cutoff : end.toInstant());
            }
        }
    }

    private String timeColumn(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT column_name FROM timescaledb_information.dimensions "
                + "WHERE hypertable_schema = ? AND hypertable_name = ? ORDER BY dimension_number LIMIT 1")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException(schema + "." + table + " is not a hypertable");
                }
                return rs.getString(1);
            }
        }
    }

    private static long count(Connection c, String sql, Instant before) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, utc(before));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Override
    public String toString() {
        return "ChunkRetention[" + schema + (tsl != null ? ", policies" : ", drop_chunks") + "]";
    }
}
