package io.agstorage.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agstorage.core.StorageConfig;
import io.agstorage.core.testing.DatabaseExtension;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The execution writer under the error policy (issue #12 item 1): a refusal that is not the data's fault (a server
 * turned read-only, as after a failover to a replica; a revoked privilege) holds the records in the journal and
 * retries them; nothing is dead-lettered, every order and fill is stored once when the server takes writes again.
 */
class ExecutionWriterFaultsIT {

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("exec_faults");

    @TempDir
    Path journalDir;

    private String role;

    @BeforeEach
    void createRole() {
        role = db.schema() + "_w";
        db.execute("CREATE ROLE " + role + " LOGIN");
        db.execute("DO $$ BEGIN EXECUTE format('GRANT CREATE ON DATABASE %I TO " + role
                + "', current_database()); END $$");
        db.execute("CREATE SCHEMA " + db.schema() + " AUTHORIZATION " + role);
    }

    @AfterEach
    void dropRole() {
        terminateSessions();
        db.execute("DROP SCHEMA IF EXISTS " + db.schema() + " CASCADE");
        db.execute("DROP OWNED BY " + role);
        db.execute("DROP ROLE " + role);
    }

    @Test
    void recordsRefusedByAReadOnlyServerAreRetriedNotDeadLettered() throws Exception {
        try (ExecutionStore store = store()) {
            storeOrdersAndFills(store, "before", 10);
            store.flush();

            String since = db.queryString("SELECT clock_timestamp()::text");
            db.execute("ALTER ROLE " + role + " SET default_transaction_read_only = on");
            terminateSessions(); // as after a failover to a replica: the new sessions are read-only
            storeOrdersAndFills(store, "read-only", 50);
            awaitRefusalsOnANewSession(store, since);
            assertThat(count("orders")).as("nothing written while read-only").isEqualTo(10);
            db.execute("ALTER ROLE " + role + " RESET default_transaction_read_only");
            terminateSessions();

            await().atMost(Duration.ofSeconds(30)).until(() -> count("fills") == 60 && count("orders") == 60);
            assertThat(store.stats().deadLettered()).as("dead-lettered").isZero();
            assertThat(store.stats().retries()).isPositive();
        }
    }

    @Test
    void recordsRefusedForARevokedPrivilegeAreRetriedUntilGranted() throws Exception {
        try (ExecutionStore store = store()) {
            storeOrdersAndFills(store, "before", 10);
            store.flush();

            String since = db.queryString("SELECT clock_timestamp()::text");
            db.execute("REVOKE INSERT ON " + db.table("fills") + " FROM " + role);
            terminateSessions();
            storeOrdersAndFills(store, "revoked", 50);
            awaitRefusalsOnANewSession(store, since);
            assertThat(count("fills")).as("no fill written while refused").isEqualTo(10);
            db.execute("GRANT INSERT ON " + db.table("fills") + " TO " + role);

            await().atMost(Duration.ofSeconds(30)).until(() -> count("fills") == 60 && count("orders") == 60);
            assertThat(store.stats().deadLettered()).as("dead-lettered").isZero();
        }
    }

    private ExecutionStore store() {
        StorageConfig config = db.config()
                .setUrl(db.url().replace("user=postgres", "user=" + role))
                .build();
        return ExecutionStore.builder()
                .storageConfig(config)
                .journalDirectory(journalDir)
                .build();
    }

    private static void storeOrdersAndFills(ExecutionStore store, String prefix, int n) {
        for (int i = 0; i < n; i++) {
            Order order = Order.of("venue", "market-1", Side.BUY, OrderType.LIMIT, BigDecimal.TEN)
                    .withPrice(new BigDecimal("0.5"));
            store.storeOrder(order);
            store.storeFill(Fill.of(order, prefix + "-" + i, new BigDecimal("0.5"), BigDecimal.TEN));
        }
    }

    /**
     * Retries on the pool's dead connections prove nothing: waits for a session opened under the fault, then for
     * the writer to meet the refusal there (retried by the policy, dead-lettered before it).
     */
    private void awaitRefusalsOnANewSession(ExecutionStore store, String since) {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> store.stats().deadLettered() > 0
                        || db.queryLong("SELECT count(*) FROM pg_stat_activity WHERE usename = '" + role
                                        + "' AND backend_start > '" + since + "'::timestamptz")
                                > 0);
        long retries = store.stats().retries();
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        store.stats().retries() >= retries + 3 || store.stats().deadLettered() > 0);
    }

    private void terminateSessions() {
        db.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = '" + role + "'");
    }

    private long count(String table) {
        return db.queryLong("SELECT count(*) FROM " + db.table(table));
    }
}
