package io.agstorage.core.internal.writer;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.MetricSeries;
import io.agstorage.core.SampleBatch;
import io.agstorage.core.StorageEngine;
import io.agstorage.core.testing.DatabaseExtension;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The ring writer sends each statement's rows in the order of the samples index ({@link RowOrder}). */
class RowOrderIT {

    private static final long T0 = 1_775_000_000_000_000L;

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("row_order");

    @Test
    void interleavedSeriesReachTheDatabaseBySeriesEachInItsOwnOrder() throws Exception {
        try (StorageEngine engine = StorageEngine.create(db.config().build())) {
            String s = db.schema();
            // Every row as the server receives it, in arrival order.
            db.execute(
                    "CREATE TABLE " + s + ".arrivals (seq bigserial, tx bigint, series_id bigint, time timestamptz)");
            db.execute(
                    "CREATE FUNCTION " + s + ".log_arrival() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO "
                            + s + ".arrivals (tx, series_id, time) VALUES (txid_current(), NEW.series_id, NEW.time); "
                            + "RETURN NEW; END $$");
            db.execute("CREATE TRIGGER log_arrival AFTER INSERT ON " + s + ".samples FOR EACH ROW EXECUTE FUNCTION " + s
                    + ".log_arrival()");
            List<MetricSeries> series = List.of(
                    engine.series("order", Map.of("s", "a")),
                    engine.series("order", Map.of("s", "b")),
                    engine.series("order", Map.of("s", "c")));
            // As exports arrive: every series' point of one round, then the next round's.
            SampleBatch batch = new SampleBatch(600);
            for (int round = 0; round < 200; round++) {
                for (MetricSeries one : series) {
                    batch.add(one, T0 + round, round);
                }
            }
            engine.submit(batch).get(10, TimeUnit.SECONDS);

            assertThat(db.queryLong("SELECT count(*) FROM " + s + ".arrivals")).isEqualTo(600);
            assertThat(db.queryLong("SELECT count(DISTINCT series_id) FROM " + s + ".arrivals"))
                    .isEqualTo(3);
            assertThat(db.queryLong("SELECT count(*) FROM (SELECT series_id < lag(series_id) OVER (PARTITION BY tx "
                            + "ORDER BY seq) AS back FROM " + s + ".arrivals) t WHERE back"))
                    .as("rows of one statement that came after a row of a higher series id")
                    .isZero();
            assertThat(db.queryLong("SELECT count(*) FROM (SELECT time < lag(time) OVER (PARTITION BY tx, series_id "
                            + "ORDER BY seq) AS back FROM " + s + ".arrivals) t WHERE back"))
                    .as("rows of one series that came after a later row of it")
                    .isZero();
        }
    }
}
