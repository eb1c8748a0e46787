package io.agstorage.core;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The server's PostgreSQL and TimescaleDB versions and license tier, read once at start-up.
 *
 * @param postgresVersion e.g. {@code 15.18}
 * @param timescaleVersion the installed extension version, or null when not installed in this database
 * @param availableTimescaleVersion the version {@code CREATE EXTENSION} would install, or null when absent
 * @param tier what follows from the license
 * @param wasm whether PostgreSQL runs compiled to WebAssembly (PGlite), which cannot take COPY
 */
public record Capabilities(
        String postgresVersion,
        @Nullable String timescaleVersion,
        @Nullable String availableTimescaleVersion,
        TimescaleTier tier,
        boolean wasm) {

    private static final String DETECT_SQL = "SELECT current_setting('server_version'), version(), "
            + "(SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'), "
            + "(SELECT default_version FROM pg_available_extensions WHERE name = 'timescaledb'), "
            + "current_setting('timescaledb.license', true)";

    /** Reads the capabilities through {@code connection}. */
    public static Capabilities detect(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery(DETECT_SQL)) {
            rs.next();
            String pg = rs.getString(1).split(" ")[0];
            boolean wasm = rs.getString(2).toLowerCase(Locale.ROOT).contains("emscripten");
            String installed = rs.getString(3);
            String available = rs.getString(4);
            String license = rs.getString(5);
            TimescaleTier tier;
            if (installed == null && available == null) {
                tier = TimescaleTier.NONE;
            } else if ("apache".equals(license)) {
                tier = TimescaleTier.APACHE;
            } else {
                tier = TimescaleTier.COMMUNITY;
            }
            return new Capabilities(pg, installed, available, tier, wasm);
        }
    }

    /** Whether native compression, continuous aggregates and policies exist. */
    public boolean hasTimescaleLicense() {
        return tier == TimescaleTier.COMMUNITY;
    }

    /** One line for the start-up log: versions, tier and what follows from it. */
    public String describe() {
        String ts = timescaleVersion != null ? timescaleVersion : availableTimescaleVersion;
        String what = switch (tier) {
            case COMMUNITY -> "TSL: native compression, continuous aggregates and policies";
            case APACHE ->
                "Apache edition: hypertables and drop_chunks; compression unavailable, rollups kept by ag-storage";
            case NONE -> "no TimescaleDB: not supported";
        };
        return "PostgreSQL " + postgresVersion + (wasm ? " (WASM)" : "") + ", TimescaleDB "
                + (ts != null ? ts : "not installed") + " -> " + what;
    }
}
