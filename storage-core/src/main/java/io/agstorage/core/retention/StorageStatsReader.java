package io.agstorage.core.retention;

import io.agstorage.core.Sql;
import io.agstorage.core.retention.CompressionStatus.TableCompression;
import io.agstorage.core.retention.StorageStats.TableStats;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Reads sizes and compression figures from PostgreSQL's and TimescaleDB's own functions. */
final class StorageStatsReader {

    private static final String KIND_SQL = "SELECT CASE "
            + "WHEN EXISTS (SELECT 1 FROM timescaledb_information.continuous_aggregates WHERE view_schema = ? AND "
            + "view_name = ?) THEN 'continuous aggregate' "
            + "WHEN EXISTS (SELECT 1 FROM timescaledb_information.hypertables WHERE hypertable_schema = ? AND "
            + "hypertable_name = ?) THEN 'hypertable' "
            + "WHEN to_regclass(?) IS NOT NULL THEN 'table' END, "
            + "coalesce((SELECT compression_enabled FROM timescaledb_information.hypertables WHERE hypertable_schema "
            + "= ? AND hypertable_name = ?), false), "
            + "(SELECT count(*) FROM timescaledb_information.chunks WHERE hypertable_schema = ? AND hypertable_name "
            + "= ?), "
            + "(SELECT count(*) FILTER (WHERE is_compressed) FROM timescaledb_information.chunks WHERE "
            + "hypertable_schema = ? AND hypertable_name = ?)";

    private StorageStatsReader() {}

    /** The figures of those of {@code tables} (every contributed relation, in report order) that exist. */
    static StorageStats read(DataSource dataSource, String schema, String quotedSchema, List<String> tables)
            throws SQLException {
        List<TableStats> result = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            for (String table : tables) {
                String qualified = quotedSchema + "." + Sql.quoteIdentifier(table);
                String kind;
                boolean compression;
                int chunks;
                int compressedChunks;
                try (PreparedStatement ps = c.prepareStatement(KIND_SQL)) {
                    ps.setString(1, schema);
                    ps.setString(2, table);
                    ps.setString(3, schema);
                    ps.setString(4, table);
                    ps.setString(5, qualified);
                    for (int p = 6; p <= 11; p += 2) {
                        ps.setString(p, schema);
                        ps.setString(p + 1, table);
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        kind = rs.getString(1);
                        compression = rs.getBoolean(2);
                        chunks = rs.getInt(3);
                        compressedChunks = rs.getInt(4);
                    }
                }
                if (kind == null) {
                    continue;
                }
                String sizeSql = kind.equals("table")
                        ? "SELECT pg_relation_size(c.oid), pg_indexes_size(c.oid), "
                                + "coalesce(pg_total_relation_size(nullif(c.reltoastrelid, 0)), 0) "
                                + "FROM pg_class c WHERE c.oid = ?::regclass"
                        : "SELECT table_bytes, index_bytes, toast_bytes FROM hypertable_detailed_size(?::regclass)";
                long tableBytes;
                long indexBytes;
                long toastBytes;
                try (PreparedStatement ps = c.prepareStatement(sizeSql)) {
                    ps.setString(1, qualified);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        tableBytes = rs.getLong(1);
                        indexBytes = rs.getLong(2);
                        toastBytes = rs.getLong(3);
                    }
                }
                long rows;
                try (Statement st = c.createStatement();
                        ResultSet rs = st.executeQuery("SELECT count(*) FROM " + qualified)) {
                    rs.next();
                    rows = rs.getLong(1);
                }
                result.add(new TableStats(
                        table, kind, rows, tableBytes, indexBytes, toastBytes, compression, chunks, compressedChunks));
            }
        }
        return new StorageStats(result);
    }

    /**
     * The rows of a hypertable's compressed chunks as TimescaleDB counted them when compressing each
     * ({@code numrows_pre_compression} in its catalog: no public view has it, and counting would decompress).
     */
    private static long compressedRows(Connection c, String schema, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(sum(s.numrows_pre_compression), 0) FROM "
                + "_timescaledb_catalog.compression_chunk_size s JOIN _timescaledb_catalog.chunk k ON k.id = "
                + "s.chunk_id JOIN _timescaledb_catalog.hypertable h ON h.id = k.hypertable_id WHERE h.schema_name = ? "
                + "AND h.table_name = ?")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    static CompressionStatus compression(DataSource dataSource, String schema, String quotedSchema, List<String> tables)
            throws SQLException {
        List<TableCompression> result = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            for (String table : tables) {
                boolean enabled;
                int total;
                int compressed;
                try (PreparedStatement ps = c.prepareStatement("SELECT h.compression_enabled, "
                        + "(SELECT count(*) FROM timescaledb_information.chunks k WHERE k.hypertable_schema "
                        + "= h.hypertable_schema AND k.hypertable_name = h.hypertable_name), "
                        + "(SELECT count(*) FROM timescaledb_information.chunks k WHERE k.hypertable_schema "
                        + "= h.hypertable_schema AND k.hypertable_name = h.hypertable_name AND k.is_compressed) "
                        + "FROM timescaledb_information.hypertables h WHERE h.hypertable_schema = ? AND "
                        + "h.hypertable_name = ?")) {
                    ps.setString(1, schema);
                    ps.setString(2, table);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            continue;
                        }
                        enabled = rs.getBoolean(1);
                        total = rs.getInt(2);
                        compressed = rs.getInt(3);
                    }
                }
                long before = 0;
                long after = 0;
                long rows = 0;
                if (enabled && compressed > 0) {
                    try (PreparedStatement ps =
                            c.prepareStatement("SELECT coalesce(sum(before_compression_total_bytes), 0), "
                                    + "coalesce(sum(after_compression_total_bytes), 0) FROM "
                                    + "hypertable_compression_stats(?::regclass)")) {
                        ps.setString(1, quotedSchema + "." + Sql.quoteIdentifier(table));
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            before = rs.getLong(1);
                            after = rs.getLong(2);
                        }
                    }
                    rows = compressedRows(c, schema, table);
                }
                result.add(new TableCompression(table, enabled, total, compressed, before, after, rows));
            }
        }
        return new CompressionStatus(true, null, result);
    }
}
