package io.agstorage.chaos;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The run's own PostgreSQL + TimescaleDB cluster, started by {@code scripts/timescaledb} in a state directory of its
 * own, so that restarting it disturbs nothing else. Knows its data directory (for {@code pg_ctl restart}), the
 * superuser the faults and the checker use, and the non-superuser role every writer connects as.
 */
final class ChaosCluster {

    /** The role of every writer, so that terminating and cancelling backends can aim at them alone. */
    static final String WRITER_ROLE = "chaos_writer";

    static final String DATABASE = "ag_storage";
    private static final String PG_CTL = "/usr/lib/postgresql/15/bin/pg_ctl";

    private final Path home;
    private final int port;

    private ChaosCluster(Path home, int port) {
        this.home = home;
        this.port = port;
    }

    /** Starts (or finds running) the cluster of {@code options} and returns it. */
    static ChaosCluster start(ChaosOptions options) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(
                        options.root().resolve("scripts/timescaledb").toString(), "start")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("AG_TSDB_HOME", options.home().toString());
        pb.environment().put("AG_TSDB_PORT", Integer.toString(options.port()));
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("scripts/timescaledb start failed for the chaos cluster in "
                    + options.home() + " on port " + options.port());
        }
        return new ChaosCluster(options.home(), options.port());
    }

    int port() {
        return port;
    }

    Path dataDirectory() {
        return home.resolve("data");
    }

    /** A superuser connection straight to the server (never through the proxy). */
    Connection superuser() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE
                + "?user=postgres&ApplicationName=chaos-control");
    }

    /** The writers' URL through a proxy on {@code proxyPort}, naming the door as the application. */
    static String writerUrl(int proxyPort, String application) {
        return "jdbc:postgresql://127.0.0.1:" + proxyPort + "/" + DATABASE + "?user=" + WRITER_ROLE
                + "&ApplicationName=" + application;
    }

    /** A new empty schema owned by the writer role (dropped first when a previous run left it). */
    void prepare(String schema) throws SQLException {
        try (Connection c = superuser();
                Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + WRITER_ROLE
                    + "') THEN CREATE ROLE " + WRITER_ROLE + " LOGIN; END IF; END $$");
            s.execute("ALTER ROLE " + WRITER_ROLE + " RESET default_transaction_read_only");
            s.execute("GRANT CREATE ON DATABASE " + DATABASE + " TO " + WRITER_ROLE);
            s.execute("CREATE SCHEMA " + schema + " AUTHORIZATION " + WRITER_ROLE);
        }
    }

    /**
     * Runs one statement as the superuser, retrying for up to 60 s while the server restarts.
     *
     * @return the update count, or -1 for a query
     */
    int execute(String sql) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (Connection c = superuser();
                    Statement s = c.createStatement()) {
                return s.execute(sql) ? -1 : s.getUpdateCount();
            } catch (SQLException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(250);
            }
        }
    }

    /** {@code pg_ctl restart -m fast|immediate}, as the postgres user, waiting for the server to accept connections. */
    void restart(String mode) throws IOException, InterruptedException {
        List<String> command = List.of(
                "runuser",
                "-u",
                "postgres",
                "--",
                PG_CTL,
                "-D",
                dataDirectory().toString(),
                "-l",
                home.resolve("postgres.log").toString(),
                "-m",
                mode,
                "-w",
                "-t",
                "60",
                "restart");
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(90, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("pg_ctl restart -m " + mode + " failed (see " + home + "/postgres.log)");
        }
    }
}
