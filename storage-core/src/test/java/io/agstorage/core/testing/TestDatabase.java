package io.agstorage.core.testing;

import io.agstorage.core.StorageConfig;
import io.agstorage.core.WriteMethod;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real databases integration tests run against. {@code scripts/test} starts them and sets
 * {@code AG_STORAGE_TEST_URL} (Apache tier) and {@code AG_STORAGE_TEST_TSL_URL} (TSL tier, WASM). A missing
 * database fails the test with instructions; it never skips.
 */
public final class TestDatabase {

    private static final AtomicInteger SCHEMAS = new AtomicInteger();

    private final String url;

    private TestDatabase(String url) {
        this.url = url;
    }

    /** PostgreSQL + TimescaleDB (any tier): {@code AG_STORAGE_TEST_URL}. */
    public static TestDatabase apache() {
        return new TestDatabase(require("AG_STORAGE_TEST_URL"));
    }

    /**
     * TimescaleDB with the Timescale License: {@code AG_STORAGE_TEST_TSL_URL}, or {@code AG_STORAGE_TEST_URL}
     * when that server is TSL itself (a user's own Docker image).
     */
    public static TestDatabase tsl() {
        String tsl = System.getenv("AG_STORAGE_TEST_TSL_URL");
        if (tsl != null && !tsl.isBlank()) {
            return new TestDatabase(tsl);
        }
        TestDatabase main = apache();
        if (main.isTsl()) {
            return main;
        }
        throw new IllegalStateException(
                "AG_STORAGE_TEST_TSL_URL is not set and AG_STORAGE_TEST_URL is not a TSL server: "
                        + "run the tests with scripts/test (it starts both tiers), or `scripts/timescaledb "
                        + "tsl-start` and "
                        + "export the variables printed by `scripts/timescaledb env`");
    }

    private static String require(String variable) {
        String url = System.getenv(variable);
        if (url == null || url.isBlank()) {
            throw new IllegalStateException(variable
                    + " is not set: run the tests with scripts/test, which starts a local " + "TimescaleDB, or point "
                    + variable + " at yours (jdbc:postgresql://host:port/db?user=...&password=...)");
        }
        return url;
    }

    public String url() {
        return url;
    }

    public boolean isTsl() {
        return "timescale".equals(queryString("SELECT current_setting('timescaledb.license', true)"));
    }

    /** A schema name no other test uses; tests isolate by schema. */
    public static String uniqueSchema(String prefix) {
        return (prefix + "_" + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet())
                .toLowerCase(Locale.ROOT);
    }

    /**
     * A configuration for this database and a fresh schema, with small, fast-flushing buffers, and without the engine's
     * own retention scheduler (tests run retention themselves; {@code EngineRetentionIT} turns it on).
     */
    public StorageConfig.Builder config(String schema) {
        return StorageConfig.builder()
                .set("retention.enabled", "false")
                .setUrl(url)
                .setSchema(schema)
                .setMaxConnections(4)
                .setConnectionTimeoutSec(10)
                .setBatchSize(1_000)
                .setFlushIntervalMs(100)
                .setMaxBufferSize(8_192)
                .setWriteTimeoutMs(20_000)
                .setEnableCache(false)
                .setWriteMethod(WriteMethod.AUTO);
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url);
    }

    public void execute(String sql) {
        try (Connection c = connect();
                Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    public String queryString(String sql) {
        try (Connection c = connect();
                Statement st = c.createStatement();
                var rs = st.executeQuery(sql)) {
            return rs.next() ? String.valueOf(rs.getString(1)) : "";
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    public long queryLong(String sql) {
        return Long.parseLong(queryString(sql));
    }

    public double queryDouble(String sql) {
        return Double.parseDouble(queryString(sql));
    }

    public void dropSchema(String schema) {
        execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
    }
}
