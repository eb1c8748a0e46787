package io.agstorage.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agstorage.core.journal.SyncPolicy;
import io.agstorage.core.testing.DatabaseExtension;
import io.agstorage.execution.testing.CrashingBot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kill -9 of a child JVM in the middle of a stream of fills: every fill it acknowledged (printed after storeFill
 * returned) is in the database once a new store has replayed the journal.
 */
class CrashRecoveryIT {

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("exec_crash");

    @TempDir
    Path journalDir;

    private Process child;

    @AfterEach
    void cleanUp() {
        if (child != null) {
            child.destroyForcibly();
        }
    }

    /**
     * Every policy writes the record to the journal file (the page cache) before acknowledging it, and the page
     * cache survives the death of the process: {@code batch} (the default) acknowledges before its flusher's
     * {@code fsync}, {@code none} never forces, {@code always} forces before acknowledging. {@code none} and
     * {@code batch} let the child run far ahead of the database writer, so many acknowledged fills exist only in
     * the journal at the kill.
     */
    @ParameterizedTest
    @ValueSource(strings = {"batch", "none", "always"})
    void everyFillAcknowledgedBeforeKillDashNineIsInTheDatabaseAfterReplay(String syncPolicy) throws Exception {
        String market = "crash-" + UUID.randomUUID();
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = List.of(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                CrashingBot.class.getName(),
                db.url(),
                db.schema(),
                journalDir.toString(),
                market,
                syncPolicy);
        // stdout goes to a file (reading a pipe races with the JDK draining it when the process dies)
        Path stdout = journalDir.resolveSibling(journalDir.getFileName() + "-child-stdout.txt");
        child = new ProcessBuilder(command)
                .redirectOutput(stdout.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();

        await().atMost(Duration.ofSeconds(60)).until(() -> acks(stdout).size() >= 3_000);
        child.destroyForcibly(); // SIGKILL: no shutdown hook, no close(), no flush
        assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).isEqualTo(137);
        List<String> lines = Files.readAllLines(stdout, StandardCharsets.UTF_8);
        UUID orderId = UUID.fromString(lines.get(0).substring("READY ".length()));
        List<String> acked = acks(stdout);
        Files.deleteIfExists(stdout);
        long beforeReplay = countFills(market);
        System.out.printf(
                "crash test (sync %s): %d fills acknowledged, %d in the database at the kill%n",
                syncPolicy, acked.size(), beforeReplay);

        try (ExecutionStore store = ExecutionStore.builder()
                .storageConfig(db.config().build())
                .journalDirectory(journalDir)
                .syncPolicy(SyncPolicy.BATCH)
                .build()) {
            assertThat(store.stats().replayed()).isPositive();
            store.flush();
            Set<String> stored = new HashSet<>(tradeIds(market));
            List<String> missing = new ArrayList<>();
            for (String id : acked) {
                if (!stored.contains(id)) {
                    missing.add(id);
                }
            }
            assertThat(missing).as("acknowledged fills missing after replay").isEmpty();
            assertThat(tradeIds(market)).doesNotHaveDuplicates();
            assertThat(store.getOrder(orderId)).isPresent();
            assertThat(store.journalRecovery().records())
                    .isEqualTo(store.stats().replayed());
            System.out.printf(
                    "crash test: %d records replayed, %d fills in the database after replay%n",
                    store.stats().replayed(), stored.size());
        }
    }

    /** The ids after each complete "ACK " line (each was written in one write(2), so lines are never torn). */
    private static List<String> acks(Path stdout) throws java.io.IOException {
        String text = Files.readString(stdout, StandardCharsets.UTF_8);
        List<String> ids = new ArrayList<>();
        int start = 0;
        for (int nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
            String line = text.substring(start, nl);
            if (line.startsWith("ACK ")) {
                ids.add(line.substring(4));
            }
            start = nl + 1;
        }
        return ids;
    }

    private long countFills(String market) throws Exception {
        return tradeIds(market).size();
    }

    private List<String> tradeIds(String market) throws Exception {
        List<String> ids = new ArrayList<>();
        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT venue_trade_id FROM \"" + db.schema() + "\".fills WHERE market = ?")) {
            ps.setString(1, market);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        } catch (java.sql.SQLException e) {
            if ("42P01".equals(e.getSQLState())) {
                return ids; // the child died before migrating
            }
            throw e;
        }
        return ids;
    }
}
