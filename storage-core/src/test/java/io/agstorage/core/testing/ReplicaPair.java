package io.agstorage.core.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A primary and a streaming hot standby of their own (PostgreSQL 15 + TimescaleDB), built fresh by {@code
 * scripts/timescaledb start} and {@code replica-start} in {@code .local/replica-it}: promoting the standby ends the
 * pair, so it is never the shared test cluster. Ports: {@code AG_REPLICA_IT_PORT} (default 55436) for the primary,
 * the next one for the standby. Needs root (the servers run as the {@code postgres} user), as {@code scripts/test}
 * has.
 */
public final class ReplicaPair implements AutoCloseable {

    private static final String PG_BIN = "/usr/lib/postgresql/15/bin";

    private final Path root;
    private final Path home;
    private final int primaryPort;
    private final int replicaPort;

    private ReplicaPair(Path root, Path home, int primaryPort) {
        this.root = root;
        this.home = home;
        this.primaryPort = primaryPort;
        this.replicaPort = primaryPort + 1;
    }

    /**
     * Stops what a previous run left, then builds and starts a new pair.
     *
     * @param synchronous whether the primary waits for the standby to flush each commit ({@code
     *     synchronous_standby_names = '*'}), the setting under which a failover loses no acknowledged commit
     */
    public static ReplicaPair startFresh(boolean synchronous) throws IOException, InterruptedException {
        Path root = repositoryRoot();
        String port = System.getenv("AG_REPLICA_IT_PORT");
        ReplicaPair pair = new ReplicaPair(
                root,
                root.resolve(".local/replica-it"),
                port == null || port.isBlank() ? 55436 : Integer.parseInt(port.trim()));
        pair.stopServers();
        pair.deleteHome();
        pair.script("start");
        pair.script(synchronous ? List.of("replica-start", "--sync") : List.of("replica-start"));
        return pair;
    }

    /** The primary alone. */
    public String primaryUrl() {
        return url("127.0.0.1:" + primaryPort, "");
    }

    /** The standby alone. */
    public String replicaUrl() {
        return url("127.0.0.1:" + replicaPort, "");
    }

    /** Both, for a writer that must follow a failover: pgjdbc connects to whichever is the primary now. */
    public String failoverUrl() {
        return url("127.0.0.1:" + primaryPort + ",127.0.0.1:" + replicaPort, "&targetServerType=primary");
    }

    private static String url(String hosts, String extra) {
        return "jdbc:postgresql://" + hosts + "/ag_storage?user=postgres" + extra;
    }

    /** Runs a statement on the standby. */
    public void onReplica(String sql) throws SQLException {
        execute(replicaUrl(), sql);
    }

    /** A single {@code long} (a count) read from the primary, or from the promoted standby after a failover. */
    public long queryLong(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The primary crashes: {@code pg_ctl stop -m immediate}, no shutdown checkpoint, sessions cut. */
    public void crashPrimary() throws IOException, InterruptedException {
        pgCtl(home.resolve("data"), "stop", "-m", "immediate", "-w");
    }

    /** The standby becomes the primary: {@code pg_ctl promote}, waiting until it accepts writes. */
    public void promoteReplica() throws IOException, InterruptedException {
        pgCtl(home.resolve("replica"), "promote", "-w", "-t", "60");
    }

    @Override
    public void close() throws IOException, InterruptedException {
        stopServers();
    }

    private void stopServers() throws IOException, InterruptedException {
        for (String dir : List.of("replica", "data")) {
            Path data = home.resolve(dir);
            if (Files.exists(data.resolve("postmaster.pid"))) {
                pgCtl(data, "stop", "-m", "immediate", "-w");
            }
        }
    }

    private void deleteHome() throws IOException {
        if (!Files.exists(home)) {
            return;
        }
        try (Stream<Path> files = Files.walk(home)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static void execute(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url);
                Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private void script(String command) throws IOException, InterruptedException {
        script(List.of(command));
    }

    private void script(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(root.resolve("scripts/timescaledb").toString());
        command.addAll(args);
        run(command);
    }

    private void pgCtl(Path data, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("runuser", "-u", "postgres", "--", PG_BIN + "/pg_ctl"));
        command.addAll(List.of("-D", data.toString()));
        command.addAll(List.of(args));
        run(command);
    }

    private void run(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("AG_TSDB_HOME", home.toString());
        env.put("AG_TSDB_PORT", Integer.toString(primaryPort));
        env.put("AG_TSDB_REPLICA_PORT", Integer.toString(replicaPort));
        Process p = pb.start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (exit "
                    + (p.isAlive() ? "none: timed out" : p.exitValue()) + "):\n"
                    + new String(output, StandardCharsets.UTF_8));
        }
    }

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("scripts/timescaledb"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException(
                    "scripts/timescaledb not found above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }
}
