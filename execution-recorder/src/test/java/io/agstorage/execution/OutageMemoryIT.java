package io.agstorage.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agstorage.core.journal.Journal;
import io.agstorage.core.journal.SyncPolicy;
import io.agstorage.core.testing.TcpProxy;
import io.agstorage.core.testing.TestDatabase;
import io.agstorage.execution.internal.RecordCodec;
import io.agstorage.execution.testing.OutageBot;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #12 items 8 and 9: an outage grows neither the heap (records wait in the journal, the writer holds at most
 * {@code maxPendingRecords}; replay streams the journal) nor the trading thread's wait ({@code updateOrderStatus}
 * after a restart does not look the order up in the database). The memory tests run a child JVM with a 64 MiB heap
 * and 500,000 fills (about 150 MB as objects, 100 MB of journal).
 */
class OutageMemoryIT {

    private static final int FILLS = 500_000;
    private static final String HEAP = "-Xmx64m";

    private final TestDatabase db = TestDatabase.apache();
    private final String schema = TestDatabase.uniqueSchema("exec_outmem");
    private final String market = "outmem-" + UUID.randomUUID();

    @TempDir
    Path journalDir;

    private TcpProxy proxy;
    private Process child;

    @AfterEach
    void cleanUp() throws Exception {
        if (child != null) {
            child.destroyForcibly();
        }
        if (proxy != null) {
            proxy.close();
        }
        db.dropSchema(schema);
    }

    @Test
    void anOutageHoldsAtMostTheConfiguredRecordsInMemory() throws Exception {
        proxy = TcpProxy.forJdbcUrl(db.url());
        Path stdout = journalDir.resolveSibling(journalDir.getFileName() + "-outage-stdout.txt");
        child = startChild("outage", proxy.proxiedUrl(db.url()), stdout);
        OutputStream stdin = child.getOutputStream();
        awaitLine(stdout, "READY");
        proxy.cut();
        send(stdin, "GO");
        awaitLine(stdout, "STORED");
        assertThat(fills()).as("nothing reached the database during the outage").isZero();
        proxy.restore();
        send(stdin, "FLUSH");
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue())
                .as("the child (heap " + HEAP + ") exits cleanly; stdout: " + Files.readString(stdout))
                .isZero();
        assertThat(lines(stdout)).contains("DONE");
        assertThat(fills()).isEqualTo(FILLS);
        assertThat(distinctFills()).isEqualTo(FILLS);
    }

    @Test
    void replayAfterRestartStreamsTheJournal() throws Exception {
        Order order = Order.of("polymarket", market, Side.BUY, OrderType.LIMIT, new BigDecimal("1000000"))
                .withPrice(new BigDecimal("0.5"));
        try (Journal journal = Journal.builder()
                .directory(journalDir)
                .syncPolicy(SyncPolicy.NONE)
                .segmentBytes(4 << 20)
                .open((seq, payload) -> {})) {
            for (int i = 0; i < FILLS; i++) {
                journal.append(
                        RecordCodec.encode(Fill.of(order, "replay-" + i, new BigDecimal("0.5"), BigDecimal.ONE)));
            }
        }
        long journalBytes;
        try (var files = Files.list(journalDir)) {
            journalBytes = files.mapToLong(p -> p.toFile().length()).sum();
        }
        assertThat(journalBytes)
                .as("the journal is larger than the child's heap")
                .isGreaterThan(64L << 20);
        Path stdout = journalDir.resolveSibling(journalDir.getFileName() + "-replay-stdout.txt");
        child = startChild("replay", db.url(), stdout);
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue())
                .as("the child (heap " + HEAP + ") exits cleanly; stdout: " + Files.readString(stdout))
                .isZero();
        assertThat(fills()).isEqualTo(FILLS);
        assertThat(distinctFills()).isEqualTo(FILLS);
    }

    @Test
    void updateOrderStatusDuringAnOutageDoesNotWaitForTheDatabase() throws Exception {
        proxy = TcpProxy.forJdbcUrl(db.url());
        var config = db.config(schema)
                .setUrl(proxy.proxiedUrl(db.url()))
                .setConnectionTimeoutSec(2)
                .setWriteTimeoutMs(30_000)
                .build();
        Order order = Order.of("polymarket", market, Side.BUY, OrderType.LIMIT, new BigDecimal("10"))
                .withPrice(new BigDecimal("0.5"));
        try (ExecutionStore store = ExecutionStore.builder()
                .storageConfig(config)
                .journalDirectory(journalDir)
                .build()) {
            store.storeOrder(order);
            store.updateOrderStatus(order.id(), OrderStatus.ACCEPTED);
            store.flush();
        }
        // a restart: the new store has the order in no change in flight; then the database goes away
        try (ExecutionStore store = ExecutionStore.builder()
                .storageConfig(config)
                .journalDirectory(journalDir)
                .build()) {
            proxy.cut();
            long start = System.nanoTime();
            Order partially = store.updateOrderStatus(order.id(), OrderStatus.PARTIALLY_FILLED, "first fill");
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).as("updateOrderStatus waited for the database").isLessThan(Duration.ofMillis(200));
            assertThat(partially.status()).isEqualTo(OrderStatus.PARTIALLY_FILLED);
            proxy.restore();
            store.flush();
            assertThat(store.getOrder(order.id()).orElseThrow().status()).isEqualTo(OrderStatus.PARTIALLY_FILLED);
        }
        assertThat(db.queryString("SELECT status FROM \"" + schema + "\".orders WHERE id = '" + order.id() + "'"))
                .isEqualTo("PARTIALLY_FILLED");
    }

    private Process startChild(String mode, String url, Path stdout) throws IOException {
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = List.of(
                java,
                HEAP,
                "-XX:+ExitOnOutOfMemoryError",
                "-cp",
                System.getProperty("java.class.path"),
                OutageBot.class.getName(),
                mode,
                url,
                schema,
                journalDir.toString(),
                market,
                Integer.toString(FILLS));
        return new ProcessBuilder(command)
                .redirectOutput(stdout.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    private void awaitLine(Path stdout, String line) throws IOException {
        await().atMost(Duration.ofSeconds(120)).until(() -> lines(stdout).contains(line) || !child.isAlive());
        assertThat(lines(stdout))
                .as("child alive: " + child.isAlive() + " (exit " + (child.isAlive() ? "-" : child.exitValue()) + ")")
                .contains(line);
    }

    private static List<String> lines(Path stdout) throws IOException {
        return Files.exists(stdout) ? Files.readAllLines(stdout, StandardCharsets.UTF_8) : List.of();
    }

    private static void send(OutputStream stdin, String line) throws IOException {
        stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    private long fills() {
        try {
            return db.queryLong("SELECT count(*) FROM \"" + schema + "\".fills WHERE market = '" + market + "'");
        } catch (RuntimeException e) {
            return 0; // the schema is not migrated yet
        }
    }

    private long distinctFills() {
        return db.queryLong(
                "SELECT count(DISTINCT venue_trade_id) FROM \"" + schema + "\".fills WHERE market = '" + market + "'");
    }
}
