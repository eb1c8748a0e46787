package io.agstorage.core.internal.schema;

import io.agstorage.core.Sql;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the versioned {@code .sql} files of the {@code sql} module to one schema, in one transaction,
 * under a transaction-scoped advisory lock: two JVMs starting at once apply each file exactly once.
 * Applied files are recorded in {@code schema_migrations} with a SHA-256 checksum; a released file that was
 * edited afterwards is refused rather than silently ignored.
 */
public final class MigrationRunner {

    private static final Logger log = LoggerFactory.getLogger(MigrationRunner.class);
    private static final String RESOURCE_DIR = "io/agstorage/sql/";
    private static final Pattern FILE_NAME = Pattern.compile("V(\\d{3})__([a-z0-9_]+)\\.sql");
    /** 'AGST': the advisory lock class id of ag-storage's migrations; the schema picks the object id. */
    private static final int LOCK_CLASS = 0x41475354;

    /** One migration file. */
    public record Migration(int version, String description, String fileName, String sql, String checksum) {}

    private final String schema;
    private final String quotedSchema;

    public MigrationRunner(String schema) {
        this.schema = schema;
        this.quotedSchema = Sql.quoteIdentifier(schema);
    }

    /** The migration files listed in {@code migrations.index}, in order. */
    public static List<Migration> migrations() {
        List<Migration> result = new ArrayList<>();
        for (String line : resource("migrations.index").split("\n")) {
            String fileName = line.strip();
            if (fileName.isEmpty() || fileName.startsWith("#")) {
                continue;
            }
            Matcher m = FILE_NAME.matcher(fileName);
            if (!m.matches()) {
                throw new IllegalStateException("migration file name must match V<nnn>__<name>.sql, was " + fileName);
            }
            String sql = resource(fileName);
            result.add(new Migration(Integer.parseInt(m.group(1)), m.group(2), fileName, sql, sha256(sql)));
        }
        return result;
    }

    /**
     * Applies every pending migration; returns how many were applied (0 when up to date).
     *
     * @throws IllegalStateException when an applied file's checksum changed, or the database is newer than this jar
     */
    public int migrate(Connection connection) throws SQLException {
        List<Migration> migrations = migrations();
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement st = connection.createStatement()) {
            try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(?, ?)")) {
                lock.setInt(1, LOCK_CLASS);
                lock.setInt(2, schema.hashCode());
                lock.execute();
            }
            st.execute("CREATE SCHEMA IF NOT EXISTS " + quotedSchema);
            st.execute(
                    "CREATE TABLE IF NOT EXISTS " + quotedSchema + ".schema_migrations (version integer PRIMARY KEY, "
                            + "description text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL "
                            + "DEFAULT now(), "
                            + "execution_ms integer NOT NULL)");
            Map<Integer, String> applied = applied(connection);
            verify(migrations, applied);
            int count = 0;
            for (Migration migration : migrations) {
                if (applied.containsKey(migration.version())) {
                    continue;
                }
                long start = System.nanoTime();
                st.execute("SET LOCAL search_path TO " + quotedSchema + ", public");
                st.execute(migration.sql());
                int ms = (int) ((System.nanoTime() - start) / 1_000_000);
                try (PreparedStatement record = connection.prepareStatement("INSERT INTO " + quotedSchema
                        + ".schema_migrations (version, description, checksum, execution_ms) VALUES (?, ?, ?, ?)")) {
                    record.setInt(1, migration.version());
                    record.setString(2, migration.description());
                    record.setString(3, migration.checksum());
                    record.setInt(4, ms);
                    record.executeUpdate();
                }
                log.info("Applied migration {} to schema {} in {} ms", migration.fileName(), schema, ms);
                count++;
            }
            connection.commit();
            if (count == 0) {
                log.info("Schema {} is up to date ({} migrations)", schema, migrations.size());
            }
            return count;
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    private Map<Integer, String> applied(Connection connection) throws SQLException {
        Map<Integer, String> applied = new LinkedHashMap<>();
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT version, checksum FROM " + quotedSchema + ".schema_migrations ORDER BY version")) {
            while (rs.next()) {
                applied.put(rs.getInt(1), rs.getString(2));
            }
        }
        return applied;
    }

    private void verify(List<Migration> migrations, Map<Integer, String> applied) {
        Map<Integer, Migration> known = new LinkedHashMap<>();
        migrations.forEach(m -> known.put(m.version(), m));
        applied.forEach((version, checksum) -> {
            Migration m = known.get(version);
            if (m == null) {
                throw new IllegalStateException("schema " + schema + " has migration version " + version
                        + " applied, which this ag-storage release does not know; upgrade ag-storage");
            }
            if (!m.checksum().equals(checksum)) {
                throw new IllegalStateException("migration " + m.fileName()
                        + " was changed after it was applied to schema "
                        + schema + " (checksum " + checksum + " in the database, " + m.checksum() + " in the file); "
                        + "released migrations must never be edited: add a new one");
            }
        });
    }

    private static String resource(String name) {
        try (InputStream in = MigrationRunner.class.getClassLoader().getResourceAsStream(RESOURCE_DIR + name)) {
            if (in == null) {
                throw new IllegalStateException(
                        "missing resource " + RESOURCE_DIR + name + ": is ag-storage-sql on the classpath?");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
