package io.agstorage.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.agstorage.core.testing.DatabaseExtension;
import io.agstorage.core.testing.TcpProxy;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The ring's writer under faults that are not a lost connection (issue #12 items 1, 4 and 10): whatever the database
 * says, a buffered point is written once, dead-lettered when the data itself is refused, or counted as dropped, and a
 * flush never reports success for a batch that lost rows. The engine writes as a role of its own, so that the role
 * can be switched to read-only or lose a privilege while the test's own connections keep theirs.
 */
class RingWriterFaultsIT {

    private static final long T0 = 1_775_000_000_000_000L;

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("ring_faults");

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
        db.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = '" + role + "'");
        db.execute("DROP SCHEMA IF EXISTS " + db.schema() + " CASCADE");
        db.execute("DROP OWNED BY " + role);
        db.execute("DROP ROLE " + role);
    }

    private StorageEngine engine(UnaryOperator<StorageConfig.Builder> customizer) {
        return StorageEngine.create(customizer
                .apply(db.config().setUrl(db.url().replace("user=postgres", "user=" + role)))
                .build());
    }

    private void terminateWriters() {
        db.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = '" + role + "'");
    }

    private long samples() {
        return db.queryLong("SELECT count(*) FROM " + db.table("samples"));
    }

    private static void record(MetricSeries s, int from, int to) {
        for (int i = from; i < to; i++) {
            assertThat(s.record(i, T0 + i)).as("record %d", i).isTrue();
        }
    }

    /** Waits until the writer has met the fault: it retries (the fix) or drops the batch (before it). */
    private static void awaitRefusal(StorageEngine engine, long retriesBefore, int retries) {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> engine.ingestionStats().retries() >= retriesBefore + retries
                        || engine.ingestionStats().droppedFailed() > 0);
    }

    @Test
    void aBatchRefusedByAReadOnlyServerIsRetriedNotDropped() {
        try (StorageEngine engine = engine(b -> b)) {
            MetricSeries s = engine.series("ro", Map.of());
            record(s, 0, 100);
            engine.flushBuffer();
            long retries = engine.ingestionStats().retries();

            String since = db.queryString("SELECT clock_timestamp()::text");
            db.execute("ALTER ROLE " + role + " SET default_transaction_read_only = on");
            terminateWriters(); // as after a failover to a replica: the new sessions are read-only
            record(s, 100, 200);
            // Retries on the pool's dead connections prove nothing: wait for a read-only session to exist, then
            // for the writer to meet the refusal on it (retried by the fix, the batch dropped before it).
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> engine.ingestionStats().droppedFailed() > 0
                            || db.queryLong("SELECT count(*) FROM pg_stat_activity WHERE usename = '" + role
                                            + "' AND backend_start > '" + since + "'::timestamptz")
                                    > 0);
            awaitRefusal(engine, engine.ingestionStats().retries(), 3);
            db.execute("ALTER ROLE " + role + " RESET default_transaction_read_only");
            terminateWriters();
            engine.flushBuffer();

            assertThat(engine.ingestionStats().droppedFailed()).as("dropped").isZero();
            assertThat(samples()).isEqualTo(200);
        }
    }

    @Test
    void aCancelledStatementIsRetried() throws Exception {
        try (StorageEngine engine = engine(b -> b)) {
            MetricSeries s = engine.series("cancel", Map.of());
            record(s, 0, 100);
            engine.flushBuffer();
            long retries = engine.ingestionStats().retries();

            try (Connection locker = db.connect();
                    Statement st = locker.createStatement()) {
                locker.setAutoCommit(false);
                st.execute("LOCK TABLE " + db.table("samples") + " IN ACCESS EXCLUSIVE MODE");
                record(s, 100, 200);
                // the writer's statement waits for the lock: cancel it, as an operator or statement_timeout would
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> db.queryLong("SELECT count(pg_cancel_backend(pid)) FROM pg_stat_activity WHERE "
                                        + "usename = '" + role + "' AND wait_event_type = 'Lock'")
                                > 0);
                awaitRefusal(engine, retries, 1);
                locker.rollback();
            }
            engine.flushBuffer();

            assertThat(engine.ingestionStats().droppedFailed()).as("dropped").isZero();
            assertThat(samples()).isEqualTo(200);
        }
    }

    @Test
    void aRevokedPrivilegeIsRetriedUntilGranted() {
        try (StorageEngine engine = engine(b -> b)) {
            MetricSeries s = engine.series("revoked", Map.of());
            record(s, 0, 100);
            engine.flushBuffer();
            long retries = engine.ingestionStats().retries();

            db.execute("REVOKE INSERT ON " + db.table("samples") + " FROM " + role);
            record(s, 100, 200);
            awaitRefusal(engine, retries, 5);
            db.execute("GRANT INSERT ON " + db.table("samples") + " TO " + role);
            engine.flushBuffer();

            assertThat(engine.ingestionStats().droppedFailed()).as("dropped").isZero();
            assertThat(samples()).isEqualTo(200);
        }
    }

    @Test
    void oneBadRowIsDeadLetteredAndTheRestWritten() {
        try (StorageEngine engine = engine(b -> b)) {
            MetricSeries s = engine.series("bad_row", Map.of("desk", "a"));
            record(s, 0, 10);
            engine.flushBuffer();
            db.execute("ALTER TABLE " + db.table("samples") + " ADD CONSTRAINT not_666 CHECK (value <> 666)");

            record(s, 600, 700);
            assertThatThrownBy(engine::flushBuffer)
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("dead-lettered");

            assertThat(samples()).isEqualTo(10 + 99);
            assertThat(db.queryLong("SELECT count(*) FROM " + db.table("samples") + " WHERE value = 666"))
                    .isZero();
            assertThat(db.queryString("SELECT door || ' ' || sqlstate || ' ' || (payload->>'value') || ' '"
                            + " || (payload->>'metric') || ' ' || (payload->'labels'->>'desk') FROM "
                            + db.table("dead_letters")))
                    .isEqualTo("samples 23514 666.0 bad_row a");
            assertThat(engine.ingestionStats().deadLettered()).isEqualTo(1);
            assertThat(engine.ingestionStats().droppedFailed()).isZero();
        }
    }

    @Test
    void flushFailsWhenItsBatchWasDroppedOrDeadLettered() {
        try (StorageEngine engine = engine(b -> b)) {
            MetricSeries s = engine.series("flush_lies", Map.of());
            record(s, 0, 10);
            engine.flushBuffer();
            db.execute("ALTER TABLE " + db.table("samples") + " ADD CONSTRAINT not_666 CHECK (value <> 666)");

            record(s, 660, 670);
            // the writer meets the refusal on its own (the ring ran dry) before the flush asks
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> engine.ingestionStats().droppedFailed()
                                    + engine.ingestionStats().deadLettered()
                            > 0);

            assertThatThrownBy(engine::flushBuffer).isInstanceOf(StorageException.class);
            assertThat(engine.flushBuffer())
                    .as("the next flush, with nothing lost since")
                    .isZero();
        }
    }

    /**
     * A deferred trigger makes the server sleep inside the commit of the batch holding the value 4242 (the end of the
     * auto-committed COPY before the fix, the COMMIT after it); meanwhile the proxy drops the server's answers, so
     * the commit goes through and the writer never hears of it; then the connection is cut.
     */
    @Test
    void anAmbiguousCommitIsSettledByTheBatchIdNotRetriedBlindly() throws Exception {
        try (TcpProxy proxy = TcpProxy.forJdbcUrl(db.url());
                StorageEngine engine =
                        engine(b -> b.setUrl(proxy.proxiedUrl(db.url().replace("user=postgres", "user=" + role)))
                                .setConnectionTimeoutSec(2))) {
            MetricSeries s = engine.series("ambiguous", Map.of());
            record(s, 0, 100);
            engine.flushBuffer();
            db.execute("CREATE FUNCTION " + db.table("stall")
                    + "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.value = 4242 THEN "
                    + "PERFORM pg_sleep(2); END IF; RETURN NULL; END $$");
            db.execute("CREATE CONSTRAINT TRIGGER stall AFTER INSERT ON " + db.table("samples")
                    + " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION " + db.table("stall") + "()");
            String committing =
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND usename = '" + role + "'";

            record(s, 4200, 4300);
            await().atMost(Duration.ofSeconds(10)).until(() -> db.queryLong(committing) == 1);
            proxy.swallowResponses();
            await().atMost(Duration.ofSeconds(10)).until(() -> db.queryLong(committing) == 0);
            // the writer may have drained the 100 points in more than one batch: the one holding 4242 committed
            assertThat(db.queryLong("SELECT count(*) FROM " + db.table("samples") + " WHERE value = 4242"))
                    .as("committed, the answer lost")
                    .isEqualTo(1);
            proxy.cut();
            proxy.restore();
            engine.flushBuffer();

            assertThat(db.queryLong("SELECT count(*) FROM " + db.table("samples") + " WHERE value = 4242"))
                    .as("the batch's rows, once")
                    .isEqualTo(1);
            assertThat(samples()).isEqualTo(200);
        }
    }

    @Test
    void recordAfterCloseIsRefusedAndCounted() {
        StorageEngine engine = engine(b -> b);
        MetricSeries s = engine.series("after_close", Map.of());
        record(s, 0, 10);
        engine.close();

        assertThat(s.record(1, T0)).isFalse();
        assertThat(engine.ingestionStats().droppedClosed()).isEqualTo(1);
        assertThat(samples()).isEqualTo(10);
    }

    @Test
    void closeIsBoundedByTheWriteTimeoutWhileTheDatabaseIsDown() throws Exception {
        try (TcpProxy proxy = TcpProxy.forJdbcUrl(db.url())) {
            StorageEngine engine =
                    engine(b -> b.setUrl(proxy.proxiedUrl(db.url().replace("user=postgres", "user=" + role)))
                            .setConnectionTimeoutSec(5)
                            .setWriteTimeoutMs(2_000));
            MetricSeries s = engine.series("close_bound", Map.of());
            record(s, 0, 10);
            engine.flushBuffer();
            proxy.cut();
            record(s, 10, 20);
            long retries = engine.ingestionStats().retries();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> engine.ingestionStats().retries() > retries);

            long start = System.nanoTime();
            engine.close();
            long tookMs = (System.nanoTime() - start) / 1_000_000;

            assertThat(tookMs).as("close() with write_timeout_ms=2000").isLessThan(2_000 + 1_500);
            // the writer's attempt in flight gives up once the pool is closed: the points are counted, not lost quietly
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(engine.ingestionStats().droppedFailed())
                            .as("still unwritten at close")
                            .isEqualTo(10));
        }
    }
}
