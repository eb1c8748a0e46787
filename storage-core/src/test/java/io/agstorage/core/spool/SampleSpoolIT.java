package io.agstorage.core.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agstorage.core.HistogramPoint;
import io.agstorage.core.MetricSeries;
import io.agstorage.core.MetricType;
import io.agstorage.core.SampleBatch;
import io.agstorage.core.StorageEngine;
import io.agstorage.core.journal.Journal;
import io.agstorage.core.journal.SyncPolicy;
import io.agstorage.core.spool.internal.SpoolRecords;
import io.agstorage.core.testing.DatabaseExtension;
import io.agstorage.core.testing.TcpProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SampleSpool}: batches answered once spooled are committed exactly once, also when the process dies before
 * their commit (the engine closed with the database unreachable stands for the crash: it drops what it could not
 * write) and when a record was split over two commits.
 */
class SampleSpoolIT {

    private static final long T0 = 1_775_000_000_000_000L;

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("spool");

    @TempDir
    Path spoolDirectory;

    @Test
    void spooledBatchesAreCommittedOnceWithTheSpoolsPosition() throws Exception {
        try (StorageEngine engine = StorageEngine.create(db.config().build());
                SampleSpool spool = SampleSpool.open(engine, spoolDirectory, SyncPolicy.BATCH)) {
            MetricSeries s = engine.series("spooled", Map.of("k", "v"));
            for (int record = 0; record < 20; record++) {
                SampleSpool.Spooled spooled = spool.trySpool(batch(s, record, 100));
                assertThat(spooled).as("spooled").isNotNull();
                assertThat(spooled.answer())
                        .as("answered without waiting for the commit")
                        .isDone();
            }
            engine.flushBuffer();
            assertThat(db.queryLong("SELECT count(*) FROM " + db.schema() + ".samples"))
                    .isEqualTo(2_000);
            assertThat(db.queryDouble("SELECT sum(value) FROM " + db.schema() + ".samples"))
                    .isEqualTo(1_999.0 * 2_000 / 2);
            assertThat(db.queryString("SELECT sequence || '/' || entries FROM " + db.schema()
                            + ".spool_watermarks WHERE spool = '" + spool.id() + "'"))
                    .isEqualTo("20/100");
            await().atMost(Duration.ofSeconds(5)).until(() -> spool.backlog() == 0);
            assertThat(spool.spooledPoints()).isEqualTo(2_000);
        }
        try (StorageEngine engine = StorageEngine.create(db.config().build());
                SampleSpool reopened = SampleSpool.open(engine, spoolDirectory, SyncPolicy.BATCH)) {
            assertThat(reopened.replayedPoints())
                    .as("everything was committed: nothing to replay")
                    .isZero();
        }
        assertThat(db.queryLong("SELECT count(*) FROM " + db.schema() + ".samples"))
                .isEqualTo(2_000);
    }

    @Test
    void whatWasSpooledButNotCommittedIsReplayedExactlyOnceAfterACrash() throws Exception {
        HistogramPoint explicit = HistogramPoint.explicit(3, 6.5, 0.5, 4, new double[] {1, 5}, new long[] {1, 2, 0});
        HistogramPoint exponential =
                HistogramPoint.exponential(4, 10, 1, 4, 2, 1, 3, new long[] {1, 2}, 0, new long[0]);
        try (TcpProxy proxy = TcpProxy.forJdbcUrl(db.url())) {
            StorageEngine engine = engineThrough(proxy);
            SampleSpool spool = SampleSpool.open(engine, spoolDirectory, SyncPolicy.ALWAYS);
            MetricSeries known = engine.series("replayed", Map.of("series", "known"));
            for (int record = 0; record < 5; record++) {
                spool.trySpool(batch(known, record, 100)).answer().get(5, TimeUnit.SECONDS);
            }
            engine.flushBuffer();

            proxy.cut();
            // Spooled during the outage: the series first seen now have no database id and are spooled by definition.
            MetricSeries fresh = engine.series("replayed", Map.of("series", "first seen in the outage"));
            MetricSeries latency = engine.series("replayed_latency", Map.of(), MetricType.HISTOGRAM, "s", "delta");
            for (int record = 5; record < 10; record++) {
                SampleBatch b = batch(known, record, 100);
                b.add(fresh, T0 + record, record);
                b.addHistogram(latency, T0 + record, record % 2 == 0 ? explicit : exponential);
                assertThat(spool.trySpool(b).answer()).succeedsWithin(Duration.ofSeconds(2));
            }
            // The crash: nothing more reaches the database (the engine drops what it holds once its write timeout is
            // over).
            spool.close();
            engine.close();
            proxy.restore();
        }
        assertThat(db.queryLong("SELECT count(*) FROM " + db.schema() + ".samples"))
                .as("only the first five records were committed")
                .isEqualTo(500);

        try (StorageEngine engine = StorageEngine.create(db.config().build());
                SampleSpool reopened = SampleSpool.open(engine, spoolDirectory, SyncPolicy.ALWAYS)) {
            assertThat(reopened.replayedPoints()).isEqualTo(5 * (100 + 2));
            assertThat(reopened.replaySkipped()).isZero();
        }
        assertThat(db.queryLong("SELECT count(*) FROM " + db.schema() + ".samples s JOIN " + db.schema()
                        + ".series r ON r.id = s.series_id " + "WHERE r.labels->>'series' = 'known'"))
                .isEqualTo(1_000);
        assertThat(db.queryDouble("SELECT sum(value) FROM " + db.schema() + ".samples s JOIN " + db.schema()
                        + ".series r ON r.id = s.series_id " + "WHERE r.labels->>'series' = 'known'"))
                .isEqualTo(999.0 * 1_000 / 2);
        assertThat(db.queryString("SELECT string_agg(value::text, ',' ORDER BY time) FROM " + db.schema()
                        + ".samples s JOIN "
                        + db.schema()
                        + ".series r ON r.id = s.series_id WHERE r.labels->>'series' = 'first seen in the outage'"))
                .isEqualTo("5,6,7,8,9");
        assertThat(db.queryString(
                        "SELECT string_agg(count || ':' || sum || ':' || coalesce(array_to_string(bucket_counts, "
                                + "'|'), 'exp' || scale "
                                + "|| '/' || positive_offset || '/' || array_to_string(positive_counts, '|')), ',' "
                                + "ORDER BY time) FROM "
                                + db.schema() + ".histograms"))
                .isEqualTo("4:10:exp2/3/1|2,3:6.5:1|2|0,4:10:exp2/3/1|2,3:6.5:1|2|0,4:10:exp2/3/1|2");
    }

    /**
     * A series read back by id at replay is resolved again before its points are written, which moves its {@code
     * seen_at}: retention, which deletes series unused for hours, must not take one whose points are being written.
     */
    @Test
    void aSeriesReadBackByIdAtReplayIsMarkedInUseBeforeItsPointsAreWritten() throws Exception {
        try (TcpProxy proxy = TcpProxy.forJdbcUrl(db.url())) {
            StorageEngine engine = engineThrough(proxy);
            SampleSpool spool = SampleSpool.open(engine, spoolDirectory, SyncPolicy.ALWAYS);
            MetricSeries known = engine.series("replayed", Map.of("series", "known"));
            spool.trySpool(batch(known, 0, 10)).answer().get(5, TimeUnit.SECONDS);
            engine.flushBuffer();
            proxy.cut();
            // spooled by id: the series has one
            assertThat(spool.trySpool(batch(known, 1, 10)).answer()).succeedsWithin(Duration.ofSeconds(2));
            spool.close();
            engine.close();
            proxy.restore();
        }
        db.execute("UPDATE " + db.table("series") + " SET seen_at = now() - INTERVAL '2 days'");

        try (StorageEngine engine = StorageEngine.create(db.config().build());
                SampleSpool reopened = SampleSpool.open(engine, spoolDirectory, SyncPolicy.ALWAYS)) {
            assertThat(reopened.replayedPoints()).isEqualTo(10);
            engine.flushBuffer();
        }
        assertThat(db.queryLong("SELECT count(*) FROM " + db.table("samples"))).isEqualTo(20);
        assertThat(db.queryLong(
                        "SELECT count(*) FROM " + db.table("series") + " WHERE seen_at > now() - INTERVAL '1 hour'"))
                .as("seen_at moved by the replay")
                .isEqualTo(1);
    }

    @Test
    void aRecordSplitOverSeveralCommitsRecordsEachPartAndResumesAfterTheLastOne() throws Exception {
        try (StorageEngine engine =
                StorageEngine.create(db.config().setBatchSize(100).build())) {
            // Every position the writer commits, in order.
            db.execute("CREATE TABLE " + db.schema() + ".position_log (sequence bigint, entries int)");
            db.execute("CREATE FUNCTION " + db.schema()
                    + ".log_position() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN " + "INSERT INTO " + db.schema()
                    + ".position_log VALUES (NEW.sequence, NEW.entries); RETURN NEW; END $$");
            db.execute("CREATE TRIGGER log_position AFTER INSERT OR UPDATE ON " + db.schema()
                    + ".spool_watermarks FOR EACH ROW EXECUTE FUNCTION " + db.schema() + ".log_position()");
            Path crashed = Files.createTempDirectory("spool-at-crash");
            try (SampleSpool spool = SampleSpool.open(engine, spoolDirectory, SyncPolicy.NONE)) {
                MetricSeries s = engine.series("split", Map.of());
                spool.trySpool(batch(s, 0, 2_000)).answer().get(5, TimeUnit.SECONDS);
                engine.flushBuffer();
                // The journal's segment as a crash would leave it (a clean close deletes it once all is committed).
                try (var segments = Files.newDirectoryStream(spoolDirectory, "*.journal")) {
                    for (Path segment : segments) {
                        Files.copy(segment, crashed.resolve(segment.getFileName()));
                    }
                }
            }
            assertThat(db.queryString(
                            "SELECT string_agg(sequence || '/' || entries, ',') FROM " + db.schema() + ".position_log"))
                    .as("a batch of spooled samples alone (up to 8 x batch_size 100) holds part of the record; each "
                            + "part commits how far it got")
                    .isEqualTo("1/800,1/1600,1/2000");

            // As if the process had died after the first part: the database holds 800 entries and position 1/800, and
            // the journal still holds the record, its trim not recorded yet.
            db.execute("DELETE FROM " + db.schema() + ".samples WHERE value >= 800");
            db.execute("UPDATE " + db.schema() + ".spool_watermarks SET sequence = 1, entries = 800");
            Files.delete(spoolDirectory.resolve("trimmed.seq"));
            try (var segments = Files.newDirectoryStream(crashed)) {
                for (Path segment : segments) {
                    Files.move(segment, spoolDirectory.resolve(segment.getFileName()));
                }
            }
        }
        try (StorageEngine engine =
                        StorageEngine.create(db.config().setBatchSize(100).build());
                SampleSpool reopened = SampleSpool.open(engine, spoolDirectory, SyncPolicy.NONE)) {
            assertThat(reopened.replayedPoints())
                    .as("the rest of the record, from entry 800")
                    .isEqualTo(1_200);
        }
        assertThat(db.queryLong("SELECT count(*) FROM " + db.schema() + ".samples"))
                .isEqualTo(2_000);
        assertThat(db.queryLong("SELECT count(DISTINCT value) FROM " + db.schema() + ".samples"))
                .isEqualTo(2_000);
        assertThat(db.queryString("SELECT sequence || '/' || entries FROM " + db.schema() + ".spool_watermarks"))
                .isEqualTo("1/2000");
        List<String> positions = List.of(db.queryString(
                        "SELECT string_agg(sequence || '/' || entries, ',') FROM " + db.schema() + ".position_log")
                .split(","));
        assertThat(positions).endsWith("1/1600", "1/2000");
    }

    @Test
    void aJournalThatLostItsTailContinuesAfterTheDatabasesPosition() throws Exception {
        try (StorageEngine engine = StorageEngine.create(db.config().build())) {
            MetricSeries s = engine.series("continued", Map.of());
            try (SampleSpool spool = SampleSpool.open(engine, spoolDirectory, SyncPolicy.NONE)) {
                for (int record = 0; record < 3; record++) {
                    spool.trySpool(batch(s, record, 10)).answer().get(5, TimeUnit.SECONDS);
                }
                engine.flushBuffer();
            }
            // The journal's files gone, as a machine crash can leave an unforced tail: the database is at record 3.
            try (var files = Files.newDirectoryStream(spoolDirectory, "{*.journal,trimmed.seq}")) {
                for (Path f : files) {
                    Files.delete(f);
                }
            }
            try (SampleSpool spool = SampleSpool.open(engine, spoolDirectory, SyncPolicy.NONE)) {
                spool.trySpool(batch(s, 3, 10)).answer().get(5, TimeUnit.SECONDS);
                engine.flushBuffer();
            }
        }
        assertThat(db.queryString("SELECT sequence || '/' || entries FROM " + db.schema() + ".spool_watermarks"))
                .as("not 1/10: record 1 was taken")
                .isEqualTo("4/10");
        assertThat(db.queryLong("SELECT count(*) FROM " + db.schema() + ".samples"))
                .isEqualTo(40);
    }

    @Test
    void aBatchLargerThanHalfTheBufferIsAnsweredAfterItsCommitInsteadOfRefused() throws Exception {
        try (StorageEngine engine =
                        StorageEngine.create(db.config().setMaxBufferSize(1_024).build());
                SampleSpool spool = SampleSpool.open(engine, spoolDirectory, SyncPolicy.NONE)) {
            MetricSeries s = engine.series("large", Map.of());
            SampleSpool.Spooled spooled = spool.trySpool(batch(s, 0, 5_000));
            assertThat(spooled).isNotNull();
            spooled.answer().get(10, TimeUnit.SECONDS);
            assertThat(db.queryLong("SELECT count(*) FROM " + db.schema() + ".samples"))
                    .as("answered after the commit")
                    .isEqualTo(5_000);
            assertThat(spool.spooledPoints()).isZero();
        }
    }

    /** {@code n} samples of {@code s}, values {@code record * n ...}, one microsecond apart. */
    @Test
    void aRecordThatCannotBeDecodedIsQuarantinedAndTheRestIsReplayed() throws Exception {
        try (StorageEngine engine = StorageEngine.create(db.config().build())) {
            MetricSeries s = engine.series("quarantined", Map.of("k", "v"));
            // A spool journal as a crash leaves it, with a record of a format this version cannot read in the middle.
            try (Journal journal = Journal.builder().directory(spoolDirectory).open((seq, p) -> {})) {
                journal.append(SpoolRecords.encode(engine.spoolTarget().entries(batch(s, 0, 100))));
                journal.append(new byte[] {99, 1, 2, 3});
                journal.append(SpoolRecords.encode(engine.spoolTarget().entries(batch(s, 1, 100))));
            }
            try (SampleSpool spool = SampleSpool.open(engine, spoolDirectory, SyncPolicy.BATCH)) {
                assertThat(spool.replayedPoints()).isEqualTo(200);
                engine.flushBuffer();
                assertThat(db.queryLong("SELECT count(*) FROM " + db.table("samples")))
                        .isEqualTo(200);
                Path quarantined = spoolDirectory.resolve("quarantine-00000000000000000002.rec");
                assertThat(quarantined).exists();
                assertThat(Files.readAllBytes(quarantined)).containsExactly(99, 1, 2, 3);
                assertThat(spool.trySpool(batch(s, 2, 100)).committed()).succeedsWithin(Duration.ofSeconds(5));
            }
        }
        assertThat(db.queryLong("SELECT count(*) FROM " + db.table("samples"))).isEqualTo(300);
    }

    @Test
    void samplesNotFromASpoolAreWrittenInBatchesOfBatchSizeWhileSpooledOnesGrowLarger() throws Exception {
        try (StorageEngine engine =
                        StorageEngine.create(db.config().setBatchSize(100).build());
                SampleSpool spool = SampleSpool.open(engine, spoolDirectory, SyncPolicy.NONE)) {
            db.execute("CREATE TABLE " + db.schema() + ".row_transactions (tx bigint, value double precision)");
            db.execute("CREATE FUNCTION " + db.schema() + ".log_transaction() RETURNS trigger LANGUAGE plpgsql AS $$ "
                    + "BEGIN INSERT INTO " + db.schema() + ".row_transactions VALUES (txid_current(), NEW.value); "
                    + "RETURN NEW; END $$");
            db.execute("CREATE TRIGGER log_transaction AFTER INSERT ON " + db.schema()
                    + ".samples FOR EACH ROW EXECUTE FUNCTION " + db.schema() + ".log_transaction()");
            MetricSeries s = engine.series("direct", Map.of());
            SampleBatch direct = new SampleBatch(1_000);
            for (int i = 0; i < 1_000; i++) {
                direct.add(s, T0 + i, -1 - i);
            }
            engine.submit(direct).get(5, TimeUnit.SECONDS);
            spool.trySpool(batch(s, 0, 1_000)).answer().get(5, TimeUnit.SECONDS);
            engine.flushBuffer();
        }
        String largest = "SELECT max(n) FROM (SELECT count(*) n FROM " + db.schema()
                + ".row_transactions WHERE value %s GROUP BY tx) t";
        assertThat(db.queryLong(String.format(largest, "< 0")))
                .as("rows of the largest transaction of samples submitted to the ring (batch_size 100)")
                .isEqualTo(100);
        assertThat(db.queryLong(String.format(largest, ">= 0")))
                .as("rows of the largest transaction of spooled samples (up to 8 x batch_size)")
                .isGreaterThan(100)
                .isLessThanOrEqualTo(800);
    }

    /** An engine reaching the database through {@code proxy}, quick to give up while it is cut. */
    private StorageEngine engineThrough(TcpProxy proxy) {
        return StorageEngine.create(db.config()
                .setUrl(proxy.proxiedUrl(db.url()))
                .setConnectionTimeoutSec(1)
                .setWriteTimeoutMs(1_500)
                .build());
    }

    private static SampleBatch batch(MetricSeries s, int record, int n) {
        SampleBatch b = new SampleBatch(n);
        for (int i = 0; i < n; i++) {
            int k = record * n + i;
            b.add(s, T0 + k, k);
        }
        return b;
    }
}
