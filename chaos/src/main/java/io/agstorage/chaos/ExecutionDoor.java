package io.agstorage.chaos;

import io.agstorage.core.StorageConfig;
import io.agstorage.execution.ExecutionStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An {@link ExecutionStore} in its own process ({@link ExecutionWorkload}), killed with {@code kill -9} and restarted
 * on the same journal. A {@code store*} call is acknowledged when the child printed its {@code ACK} line. After the
 * faults the last child is killed too and a store in this JVM opens the journal, replays it and flushes, as the next
 * start of a bot would. Then every acknowledged order has exactly one {@code NEW} event and every acknowledged fill
 * exactly one row; an order or fill only tried has at most one.
 */
final class ExecutionDoor implements Door {

    private final Path journal;
    private final String url;
    private final SupervisedChild child;
    private long errors;

    ExecutionDoor(Path work, int proxyPort) throws java.io.IOException {
        this.journal = Files.createDirectories(work.resolve("execution-journal"));
        this.url = ChaosCluster.writerUrl(proxyPort, "chaos-execution");
        this.child = new SupervisedChild(
                "execution",
                work,
                generation -> ChildJvm.java(
                        ChildJvm.EXECUTION_MAIN,
                        work.resolve("execution-" + generation + ".log"),
                        List.of(url, StoredRows.SCHEMA, journal.toString(), Integer.toString(generation))));
    }

    @Override
    public String name() {
        return "execution";
    }

    @Override
    public void start() throws Exception {
        child.start();
    }

    SupervisedChild child() {
        return child;
    }

    @Override
    public void stop() throws InterruptedException {
        child.stop(false);
    }

    /** Replays the journal in a store of this JVM and flushes it (retried for up to 90 s while it fails). */
    @Override
    public void settle() throws InterruptedException {
        long deadline = System.nanoTime() + 90_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (ExecutionStore store = ExecutionStore.builder()
                    .storageConfig(StorageConfig.builder()
                            .setUrl(url)
                            .setUser(ChaosCluster.WRITER_ROLE)
                            .setSchema(StoredRows.SCHEMA)
                            .setEnableCache(false)
                            .build())
                    .journalDirectory(journal)
                    .build()) {
                store.flush();
                return;
            } catch (RuntimeException e) {
                errors++;
                Thread.sleep(1_000);
            }
        }
    }

    @Override
    public DoorResult check(Connection db) throws Exception {
        Ledger<String> ledger = new Ledger<>();
        for (Path out : child.outputs()) {
            if (!Files.exists(out)) {
                continue;
            }
            for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
                if (line.startsWith("TRY ")) {
                    ledger.sent(line.substring(4));
                } else if (line.startsWith("ACK ")) {
                    ledger.acked(line.substring(4));
                }
            }
        }
        Map<String, Integer> stored = new HashMap<>(StoredRows.countKeys(
                db,
                "SELECT 'fill:' || venue_trade_id FROM " + StoredRows.SCHEMA + ".fills WHERE venue = ?",
                ExecutionWorkload.VENUE));
        stored.putAll(StoredRows.countKeys(
                db,
                "SELECT 'order:' || e.order_id FROM " + StoredRows.SCHEMA + ".order_events e JOIN " + StoredRows.SCHEMA
                        + ".orders o ON o.id = e.order_id WHERE o.venue = ? AND e.status = 'NEW'",
                ExecutionWorkload.VENUE));
        String unit = "orders and fills; kill -9 x" + child.kills() + ", starts " + child.generations();
        return ledger.check(name(), unit, stored, errors + child.generations() - 1 - child.kills());
    }

    @Override
    public void close() throws InterruptedException {
        child.close();
    }
}
