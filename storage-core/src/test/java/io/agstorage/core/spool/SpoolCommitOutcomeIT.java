package io.agstorage.core.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agstorage.core.MetricSeries;
import io.agstorage.core.SampleBatch;
import io.agstorage.core.StorageEngine;
import io.agstorage.core.journal.SyncPolicy;
import io.agstorage.core.testing.DatabaseExtension;
import io.agstorage.core.testing.TcpProxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connection of the engine's writer fails once a spooled batch's COMMIT was sent: whether the batch committed is
 * unknown to the writer, and its spool position (committed in the same transaction) decides whether to write it
 * again; either way its rows are in the database once.
 */
class SpoolCommitOutcomeIT {

    private static final long T0 = 1_775_000_000_000_000L;
    private static final String COMMITTING =
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND query = 'COMMIT'";

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("spool_outcome");

    @TempDir
    Path spoolDirectory;

    @Test
    void aCommitThatWentThroughIsNotWrittenAgain() throws Exception {
        assertStoredOnce(true);
    }

    @Test
    void aCommitThatDidNotGoThroughIsWrittenAgain() throws Exception {
        assertStoredOnce(false);
    }

    /**
     * A deferred trigger makes the server sleep inside the COMMIT of the spool's position; meanwhile the answer is
     * lost: either the server finishes the commit and its answer is dropped ({@code committed}), or the backend is
     * killed before it commits.
     */
    private void assertStoredOnce(boolean committed) throws Exception {
        try (TcpProxy proxy = TcpProxy.forJdbcUrl(db.url());
                StorageEngine engine = StorageEngine.create(db.config()
                        .setUrl(proxy.proxiedUrl(db.url()))
                        .setConnectionTimeoutSec(2)
                        .setWriteTimeoutMs(30_000)
                        .build());
                SampleSpool spool = SampleSpool.open(engine, spoolDirectory, SyncPolicy.NONE)) {
            MetricSeries s = engine.series("outcome", Map.of());
            spool.trySpool(batch(s, 0)).answer().get(5, TimeUnit.SECONDS);
            engine.flushBuffer();
            db.execute("CREATE FUNCTION " + db.schema()
                    + ".stall() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(2); RETURN NULL; END $$");
            db.execute("CREATE CONSTRAINT TRIGGER stall AFTER UPDATE ON " + db.schema()
                    + ".spool_watermarks DEFERRABLE INITIALLY DEFERRED " + "FOR EACH ROW EXECUTE FUNCTION "
                    + db.schema()
                    + ".stall()");
            long retriesBefore = engine.ingestionStats().retries();

            spool.trySpool(batch(s, 1)).answer().get(5, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> db.queryLong(COMMITTING) == 1);
            if (committed) {
                proxy.swallowResponses();
                await().atMost(Duration.ofSeconds(10)).until(() -> db.queryLong(COMMITTING) == 0);
                assertThat(db.queryLong("SELECT count(*) FROM " + db.schema() + ".samples"))
                        .as("committed, the answer lost")
                        .isEqualTo(200);
            } else {
                db.queryLong(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE wait_event = 'PgSleep' "
                                + "AND query = 'COMMIT'");
                assertThat(db.queryLong("SELECT count(*) FROM " + db.schema() + ".samples"))
                        .as("rolled back")
                        .isEqualTo(100);
            }
            proxy.cut();
            proxy.restore();
            engine.flushBuffer();

            assertThat(engine.ingestionStats().retries())
                    .as("the writer learnt the outcome was unknown")
                    .isGreaterThan(retriesBefore);
            assertThat(db.queryLong("SELECT count(*) FROM " + db.schema() + ".samples"))
                    .isEqualTo(200);
            assertThat(db.queryLong("SELECT count(DISTINCT value) FROM " + db.schema() + ".samples"))
                    .isEqualTo(200);
            assertThat(db.queryString("SELECT sequence || '/' || entries FROM " + db.schema() + ".spool_watermarks"))
                    .isEqualTo("2/100");
        }
    }

    private static SampleBatch batch(MetricSeries s, int record) {
        SampleBatch b = new SampleBatch(100);
        for (int i = 0; i < 100; i++) {
            int k = record * 100 + i;
            b.add(s, T0 + k, k);
        }
        return b;
    }
}
