package io.agstorage.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agstorage.core.SeriesLimitException.Reason;
import io.agstorage.core.testing.DatabaseExtension;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The {@code limits.*} settings on the engine's own doors: {@code insertMetric*}, {@code series()}, a restart. */
class SeriesLimitsIT {

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("limits")
            .withEngine(b -> b.setLimits(SeriesLimits.builder()
                    .setMaxSeries(10)
                    .setMaxSeriesPerMetric(3)
                    .setMaxLabelBytes(64)
                    .build()));

    private long rows(String metric) {
        return db.queryLong("SELECT count(*) FROM " + db.table("samples") + " s JOIN " + db.table("series")
                + " r ON r.id = s.series_id WHERE r.metric = '" + metric + "'");
    }

    @Test
    void aBatchStoresEveryPointButThoseThatWouldCreateASeriesPastTheLimit() {
        StorageEngine engine = db.engine();
        List<MetricPoint> points = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            points.add(MetricPoint.of("orders", i).withLabel("venue", "v" + i));
        }
        points.add(MetricPoint.of("fills", 1).withLabel("big", "x".repeat(100)));
        points.add(MetricPoint.of("fills", 2).withLabel("venue", "v0"));
        points.add(MetricPoint.of("orders", 7).withLabel("venue", "v1")); // existing series: stored

        assertThatThrownBy(() -> engine.insertMetricsBatch(points))
                .isInstanceOf(RejectedPointsException.class)
                .hasMessage("3 of 8 points rejected, the other 5 were written: points[3]: metric 'orders': new series "
                        + "refused, limits.max_series_per_metric=3 reached (3 series of this metric); points[4]: "
                        + "metric 'orders': new series refused, limits.max_series_per_metric=3 reached (3 series of "
                        + "this metric); points[5]: metric 'fills': new series refused, its labels take 103 bytes, "
                        + "over limits.max_label_bytes=64");

        assertThat(rows("orders")).isEqualTo(4);
        assertThat(rows("fills")).isEqualTo(1);
        assertThat(db.queryLong("SELECT count(*) FROM " + db.table("series"))).isEqualTo(4);
        SeriesStats stats = engine.seriesStats();
        assertThat(stats.refused(Reason.MAX_SERIES_PER_METRIC)).isEqualTo(2);
        assertThat(stats.refused(Reason.LABEL_BYTES)).isEqualTo(1);
        assertThat(stats.known()).isEqualTo(4);
    }

    @Test
    void aHandleOfANewSeriesPastMaxSeriesIsRefusedAndOldSeriesKeepWorking() {
        StorageEngine engine = db.engine();
        for (int i = 0; i < 10; i++) {
            engine.series("m" + i, Map.of()).record(i);
        }
        assertThatThrownBy(() -> engine.series("m10", Map.of()))
                .isInstanceOf(SeriesLimitException.class)
                .hasMessage("metric 'm10': new series refused, limits.max_series=10 reached (10 series known to this "
                        + "engine)");
        assertThatThrownBy(() -> engine.bufferMetric(MetricPoint.of("m11", 1)))
                .isInstanceOf(SeriesLimitException.class);
        engine.series("m3", Map.of()).record(33);
        engine.insertMetric(MetricPoint.of("m4", 44));
        engine.flushBuffer();
        assertThat(db.queryLong("SELECT count(*) FROM " + db.table("series"))).isEqualTo(10);
        assertThat(engine.seriesStats().refusedMaxSeries()).isEqualTo(2);
    }

    @Test
    void aRestartedEngineCountsTheSeriesTheDatabaseHolds() {
        for (int i = 0; i < 8; i++) {
            db.engine().insertMetric(MetricPoint.of("m" + i, i));
        }
        StorageEngine restarted = db.replaceEngine(
                b -> b.setLimits(SeriesLimits.builder().setMaxSeries(10).build()));
        assertThat(restarted.seriesStats().known()).isEqualTo(8);
        restarted.insertMetric(MetricPoint.of("m0", 100)); // in the database: not a new series
        restarted.insertMetric(MetricPoint.of("new1", 1));
        restarted.insertMetric(MetricPoint.of("new2", 2));
        assertThatThrownBy(() -> restarted.insertMetric(MetricPoint.of("new3", 3)))
                .hasMessageContaining("metric 'new3': new series refused, limits.max_series=10 reached");
        assertThat(db.queryLong("SELECT count(*) FROM " + db.table("series"))).isEqualTo(10);
    }

    @Test
    void theSeriesRegistryStaysBoundedWhileHundredsOfThousandsOfSeriesAreCreated() {
        StorageEngine engine = db.replaceEngine(b -> b.setLimits(SeriesLimits.builder()
                .setMaxSeries(300_000)
                .setMaxSeriesPerMetric(300_000)
                .setMaxCachedSeries(1_000)
                .build()));
        long before = usedHeapAfterGc();
        int n = 100_000;
        List<MetricPoint> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            batch.add(MetricPoint.of("wide", i).withLabel("id", "series-" + i).withLabel("pad", "p".repeat(40)));
            if (batch.size() == 20_000) {
                engine.insertMetricsBatch(batch);
                batch.clear();
            }
        }
        long growth = usedHeapAfterGc() - before;
        SeriesStats stats = engine.seriesStats();
        assertThat(stats.cached()).isLessThanOrEqualTo(1_000);
        assertThat(stats.known()).isEqualTo(n);
        assertThat(stats.evicted()).isGreaterThanOrEqualTo(n - 1_000);
        assertThat(db.queryLong("SELECT count(*) FROM " + db.table("series"))).isEqualTo(n);
        // 100,000 interned series take over 40 MB; the fingerprints of the known ones 2 MB (16 B each at most)
        assertThat(growth).as("heap growth in bytes").isLessThan(20L << 20);
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
