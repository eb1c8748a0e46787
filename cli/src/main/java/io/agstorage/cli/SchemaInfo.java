package io.agstorage.cli;

import io.agstorage.core.StorageEngine;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** What the database says of a schema: its applied migrations and the server's version. */
final class SchemaInfo {

    /** One applied migration, as {@code schema_migrations} records it. */
    record AppliedMigration(int version, String description, Instant appliedAt, int executionMs) {}

    private SchemaInfo() {}

    /** The applied migrations in version order; empty when the schema was never migrated. */
    static List<AppliedMigration> migrations(StorageEngine engine) throws SQLException {
        List<AppliedMigration> list = new ArrayList<>();
        if (!migrated(engine)) {
            return list;
        }
        try (Connection c = engine.dataSource().getConnection();
                PreparedStatement st = c.prepareStatement("SELECT version, description, applied_at, execution_ms FROM "
                        + engine.quotedSchema() + ".schema_migrations ORDER BY version");
                ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                list.add(new AppliedMigration(
                        rs.getInt(1), rs.getString(2), rs.getTimestamp(3).toInstant(), rs.getInt(4)));
            }
        }
        return list;
    }

    /** Whether the schema has a migrations table. */
    static boolean migrated(StorageEngine engine) throws SQLException {
        try (Connection c = engine.dataSource().getConnection();
                PreparedStatement st = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            st.setString(1, engine.quotedSchema() + ".schema_migrations");
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    static String serverVersion(StorageEngine engine) throws SQLException {
        try (Connection c = engine.dataSource().getConnection();
                PreparedStatement st = c.prepareStatement("SELECT version()");
                ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }
}
