package io.agstorage.core.retention.internal;

import io.agstorage.core.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Which relations exist in the engine's schema, and the database's clock. */
public final class SchemaCatalog {

    private final DataSource dataSource;
    private final String quotedSchema;

    public SchemaCatalog(DataSource dataSource, String quotedSchema) {
        this.dataSource = dataSource;
        this.quotedSchema = quotedSchema;
    }

    /** Those of {@code relations} that exist, in the same order. */
    public List<String> existing(List<String> relations) throws SQLException {
        List<String> result = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            for (String relation : relations) {
                ps.setString(1, quotedSchema + "." + Sql.quoteIdentifier(relation));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        result.add(relation);
                    }
                }
            }
        }
        return result;
    }

    public boolean exists(String relation) throws SQLException {
        return !existing(List.of(relation)).isEmpty();
    }

    /** {@code now()} on the server: every cutoff is computed on the database's clock, not this JVM's. */
    public Instant now() throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT now()");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getObject(1, OffsetDateTime.class).toInstant();
        }
    }

    static OffsetDateTime utc(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }

    @Override
    public String toString() {
        return "SchemaCatalog[" + quotedSchema + "]";
    }
}
