package io.agstorage.core.retention.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.Aggregation;
import io.agstorage.core.retention.RollupDefinition;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RollupQueriesTest {

    private static final Instant DAY = Instant.parse("2026-03-02T00:00:00Z");

    @Test
    void everyAggregationUsesARollupPercentilesThroughTheSketches() {
        for (Aggregation agg : new Aggregation[] {
            Aggregation.AVG,
            Aggregation.MIN,
            Aggregation.MAX,
            Aggregation.SUM,
            Aggregation.COUNT,
            Aggregation.FIRST,
            Aggregation.LAST
        }) {
            assertThat(RollupQueries.expression(agg)).as(agg.name()).isNotNull();
        }
        assertThat(RollupQueries.expression(Aggregation.AVG)).isEqualTo("sum(h.value_sum) / sum(h.sample_count)");
        for (Aggregation agg : new Aggregation[] {Aggregation.P50, Aggregation.P95, Aggregation.P99}) {
            assertThat(RollupQueries.quantile(agg)).isNotNull();
            assertThat(RollupQueries.candidates(DAY, DAY.plus(Duration.ofDays(7)), Duration.ofDays(1), agg))
                    .extracting(RollupDefinition::name)
                    .containsExactly("metrics_daily", "metrics_hourly");
        }
        assertThat(RollupQueries.quantile(Aggregation.P99)).isEqualTo(0.99);
        assertThat(RollupQueries.quantile(Aggregation.AVG)).isNull();
    }

    @Test
    void theCoarsestRollupWhoseGrainDividesTheBucketAndAlignsWithTheRangeComesFirst() {
        assertThat(RollupQueries.candidates(DAY, DAY.plus(Duration.ofDays(7)), Duration.ofDays(1), Aggregation.AVG))
                .extracting(RollupDefinition::name)
                .containsExactly("metrics_daily", "metrics_hourly");
        assertThat(RollupQueries.candidates(DAY, DAY.plus(Duration.ofDays(7)), Duration.ofDays(7), Aggregation.SUM))
                .extracting(RollupDefinition::name)
                .containsExactly("metrics_daily", "metrics_hourly");
        assertThat(RollupQueries.candidates(DAY, DAY.plus(Duration.ofDays(7)), Duration.ofHours(6), Aggregation.MAX))
                .extracting(RollupDefinition::name)
                .containsExactly("metrics_hourly");
        assertThat(RollupQueries.candidates(
                        DAY.plus(Duration.ofHours(3)),
                        DAY.plus(Duration.ofDays(2)),
                        Duration.ofDays(1),
                        Aggregation.MIN))
                .as("start inside a day")
                .extracting(RollupDefinition::name)
                .containsExactly("metrics_hourly");
    }

    @Test
    void unalignedRangesAndBucketsFinerThanAnHourGoToTheRawTable() {
        assertThat(RollupQueries.candidates(
                        DAY.plusSeconds(1), DAY.plus(Duration.ofDays(1)), Duration.ofHours(1), Aggregation.AVG))
                .isEmpty();
        assertThat(RollupQueries.candidates(
                        DAY, DAY.plus(Duration.ofDays(1)).plusNanos(1_000), Duration.ofHours(1), Aggregation.AVG))
                .isEmpty();
        assertThat(RollupQueries.candidates(DAY, DAY.plus(Duration.ofDays(1)), Duration.ofMinutes(30), Aggregation.AVG))
                .isEmpty();
        assertThat(RollupQueries.candidates(DAY, DAY.plus(Duration.ofDays(1)), Duration.ofMinutes(90), Aggregation.AVG))
                .isEmpty();
        assertThat(RollupQueries.candidates(
                        Instant.parse("1969-12-31T23:00:00Z"), DAY, Duration.ofHours(1), Aggregation.AVG))
                .as("before the epoch")
                .extracting(RollupDefinition::name)
                .containsExactly("metrics_hourly");
    }

    @Test
    void theRollupSelectGroupsByBucketExpressionAndKeys() {
        // the execution recorder's rollups are checked in its own ExecutionRetentionTest
        String select = MetricsRetention.METRICS_HOURLY.select("\"s\"", true);
        assertThat(select)
                .startsWith("SELECT time_bucket(INTERVAL '3600 seconds', s.time) AS bucket, s.series_id AS series_id")
                .contains("first(s.value, s.time) AS value_first")
                .contains("FROM \"s\".samples s WHERE s.time >= ? AND s.time < ?")
                .endsWith("GROUP BY time_bucket(INTERVAL '3600 seconds', s.time), s.series_id");
        assertThat(MetricsRetention.METRICS_HOURLY.columns())
                .containsExactly(
                        "bucket",
                        "series_id",
                        "sample_count",
                        "value_sum",
                        "value_min",
                        "value_max",
                        "time_first",
                        "value_first",
                        "time_last",
                        "value_last",
                        "value_sketch");
        assertThat(select).contains("\"s\".sketch_compact(array_agg(\"s\".sketch_entry(s.value))) AS value_sketch");
        assertThat(MetricsRetention.METRICS_DAILY.select("\"s\"", true))
                .as("the daily rollup merges the hourly one")
                .contains("\"s\".sketch_merge(h.value_sketch) AS value_sketch")
                .contains("FROM \"s\".metrics_hourly h WHERE h.bucket >= ? AND h.bucket < ?");
    }
}
