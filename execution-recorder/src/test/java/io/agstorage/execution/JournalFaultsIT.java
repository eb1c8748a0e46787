package io.agstorage.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agstorage.core.StorageConfig;
import io.agstorage.core.StorageEngine;
import io.agstorage.core.journal.Journal;
import io.agstorage.core.journal.JournalException;
import io.agstorage.core.journal.JournalRecovery;
import io.agstorage.core.journal.SyncPolicy;
import io.agstorage.core.testing.TcpProxy;
import io.agstorage.core.testing.TestDatabase;
import io.agstorage.core.testing.TinyFilesystem;
import io.agstorage.execution.internal.RecordCodec;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The execution store's journal under faults of the disk it lives on: a full disk (a real 256 KiB {@code tmpfs}; needs
 * root, as CI has) and a record this version cannot decode.
 */
class JournalFaultsIT {

    private final TestDatabase db = TestDatabase.apache();
    private final String schema = TestDatabase.uniqueSchema("exec_journal_faults");
    private final String market = "journal-faults-" + UUID.randomUUID();

    @TempDir
    Path tempDir;

    @AfterEach
    void dropSchema() {
        db.dropSchema(schema);
    }

    private Order order() {
        return Order.of("polymarket", market, Side.BUY, OrderType.LIMIT, new BigDecimal("1000000"))
                .withPrice(new BigDecimal("0.5"));
    }

    private static Fill fill(Order order, String tradeId) {
        return Fill.of(order, tradeId, new BigDecimal("0.5"), BigDecimal.ONE);
    }

    @Test
    void fillsAcknowledgedAfterADiskFullAreReplayedAfterRestart() throws Exception {
        List<String> acknowledged = new ArrayList<>();
        try (TinyFilesystem fs = TinyFilesystem.mount(256);
                TcpProxy proxy = TcpProxy.forJdbcUrl(db.url())) {
            Path journalDir = fs.root().resolve("journal");
            StorageConfig config = db.config(schema)
                    .setUrl(proxy.proxiedUrl(db.url()))
                    .setConnectionTimeoutSec(1)
                    .setWriteTimeoutMs(1_500)
                    .build();
            try (StorageEngine engine = StorageEngine.create(config);
                    ExecutionStore store = ExecutionStore.builder()
                            .storageEngine(engine)
                            .journalDirectory(journalDir)
                            .syncPolicy(SyncPolicy.ALWAYS)
                            .build()) {
                Order order = order();
                store.storeOrder(order);
                store.flush();
                // The database is away: every fill stays in the journal, which the restart must replay.
                proxy.cut();
                Path filler = fs.filler("filler", 128 << 10);
                int failed = 0;
                int i = 0;
                while (failed < 5) {
                    String tradeId = "t-" + i++;
                    try {
                        store.storeFill(fill(order, tradeId));
                        acknowledged.add(tradeId);
                    } catch (JournalException e) {
                        failed++;
                    }
                    assertThat(i).as("the 256 KiB disk never filled up").isLessThan(10_000);
                }
                int beforeFull = acknowledged.size();
                assertThat(beforeFull).isPositive();
                fs.delete(filler);
                for (int k = 0; k < 100; k++) {
                    String tradeId = "t-" + i++;
                    store.storeFill(fill(order, tradeId));
                    acknowledged.add(tradeId);
                }
            }
            proxy.restore();
            try (StorageEngine engine = StorageEngine.create(db.config(schema).build());
                    ExecutionStore store = ExecutionStore.builder()
                            .storageEngine(engine)
                            .journalDirectory(journalDir)
                            .build()) {
                store.flush();
                assertThat(tradeIds())
                        .as("every acknowledged fill is in the database after the restart")
                        .containsExactlyInAnyOrderElementsOf(acknowledged);
                assertThat(store.journalRecovery().corruptions())
                        .as("nothing was cut off")
                        .isEmpty();
            }
        }
    }

    @Test
    void aRecordThatCannotBeDecodedIsQuarantinedAndTheRestIsReplayed() throws Exception {
        Path journalDir = tempDir.resolve("journal");
        Order order = order();
        // A journal as a crash leaves it: records of a kind this version does not know in the middle and at the end.
        try (Journal journal = Journal.builder().directory(journalDir).open((seq, p) -> {})) {
            journal.append(RecordCodec.encode(fill(order, "before")));
            journal.append(new byte[] {99, 1, 2, 3});
            journal.append(RecordCodec.encode(fill(order, "after")));
            journal.append(new byte[] {98});
        }
        try (StorageEngine engine = StorageEngine.create(db.config(schema).build());
                ExecutionStore store = ExecutionStore.builder()
                        .storageEngine(engine)
                        .journalDirectory(journalDir)
                        .build()) {
            store.flush();
            assertThat(tradeIds()).containsExactlyInAnyOrder("before", "after");
            assertThat(store.journalRecovery().quarantined())
                    .extracting(JournalRecovery.Quarantined::sequence)
                    .containsExactly(2L, 4L);
            Path quarantined = journalDir.resolve("quarantine-00000000000000000002.rec");
            assertThat(Files.readAllBytes(quarantined)).containsExactly(99, 1, 2, 3);
            assertThat(store.stats().pending()).isZero();
            store.storeFill(fill(order, "later"));
            store.flush();
            assertThat(tradeIds()).containsExactlyInAnyOrder("before", "after", "later");
        }
        try (Stream<Path> files = Files.list(journalDir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .contains("quarantine-00000000000000000002.rec", "quarantine-00000000000000000004.rec");
        }
        assertThatThrownBy(() -> RecordCodec.decode(new byte[] {99})).isInstanceOf(IllegalArgumentException.class);
    }

    private List<String> tradeIds() throws Exception {
        List<String> ids = new ArrayList<>();
        try (Connection c = db.connect();
                PreparedStatement ps =
                        c.prepareStatement("SELECT venue_trade_id FROM \"" + schema + "\".fills WHERE market = ?")) {
            ps.setString(1, market);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        }
        return ids;
    }
}
