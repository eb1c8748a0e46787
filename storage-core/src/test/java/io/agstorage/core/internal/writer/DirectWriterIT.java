package io.agstorage.core.internal.writer;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.MetricType;
import io.agstorage.core.StorageEngine;
import io.agstorage.core.internal.SeriesRef;
import io.agstorage.core.internal.SeriesRegistry;
import io.agstorage.core.testing.DatabaseExtension;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What insertMetricsBatch cannot show from outside: the rows reach the server before the commit is asked for. */
class DirectWriterIT {

    private static final long T0_MICROS = 1_767_225_600_000_000L; // 2026-01-01T00:00:00Z

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("direct_writer");

    @Test
    void sentRowsAreInsertedByTheServerBeforeTheCommitAndVisibleOnlyAfterIt() throws Exception {
        try (StorageEngine engine = StorageEngine.create(db.config().build())) {
            DirectWriter direct = new DirectWriter(engine.dataSource(), engine.quotedSchema(), true, 2);
            SeriesRef series = new SeriesRegistry().intern("streamed", Map.of("k", "v"), MetricType.GAUGE, null, null);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            try (DirectWriter.Write write = direct.begin(5_000, deadline)) {
                for (int i = 0; i < 3_000; i++) {
                    write.add(series, T0_MICROS + i, i);
                }
                write.sendSoFar();

                // The server's COPY of this write is running and has taken the rows sent so far, uncommitted.
                Awaitility.await()
                        .atMost(Duration.ofSeconds(10))
                        .until(() -> db.queryLong("SELECT count(*) FROM pg_stat_activity "
                                        + "WHERE state = 'active' AND query LIKE 'COPY " + engine.quotedSchema()
                                        + ".samples%'")
                                == 1);
                assertThat(db.queryLong("SELECT count(*) FROM " + db.schema() + ".samples"))
                        .isZero();

                for (int i = 3_000; i < 5_000; i++) {
                    write.add(series, T0_MICROS + i, i);
                }
                write.commit();
            }
            assertThat(db.queryLong("SELECT count(*) FROM " + db.schema() + ".samples"))
                    .isEqualTo(5_000);
            assertThat(db.queryDouble("SELECT sum(value) FROM " + db.schema() + ".samples"))
                    .isEqualTo(4_999.0 * 5_000 / 2);
            assertThat(direct.committedSamples()).isEqualTo(5_000);
        }
    }

    @Test
    void closingWithoutACommitRollsBackWhatWasSentAndFreesThePermit() throws Exception {
        try (StorageEngine engine = StorageEngine.create(db.config().build())) {
            DirectWriter direct = new DirectWriter(engine.dataSource(), engine.quotedSchema(), true, 1);
            SeriesRef series = new SeriesRegistry().intern("abandoned", Map.of(), MetricType.GAUGE, null, null);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            try (DirectWriter.Write write = direct.begin(2_000, deadline)) {
                for (int i = 0; i < 2_000; i++) {
                    write.add(series, T0_MICROS + i, i);
                }
                write.sendSoFar();
            }

            // The only permit is free again: a second write commits well before its deadline.
            try (DirectWriter.Write write = direct.begin(1, System.nanoTime() + TimeUnit.SECONDS.toNanos(5))) {
                write.add(series, T0_MICROS, 42);
                write.commit();
            }
            assertThat(db.queryLong("SELECT count(*) FROM " + db.schema() + ".samples"))
                    .isEqualTo(1);
            assertThat(engine.poolStatus().active()).isZero();
        }
    }
}
