package io.agstorage.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agstorage.core.testing.DatabaseExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every bad-input rule of the engine, against the real database: a clear error, and nothing valid lost. */
class BadInputIT {

    private static final Instant T0 = Instant.parse("2026-02-01T00:00:00Z");

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("bad").withEngine();

    private long stored() {
        return db.queryLong("SELECT count(*) FROM " + db.schema() + ".samples");
    }

    @Test
    void nonFiniteValuesAreRefusedByName() {
        assertThatThrownBy(() ->
                        db.engine().insertMetric(MetricPoint.of("m", Double.NaN).at(T0)))
                .isInstanceOf(RejectedPointsException.class)
                .hasMessage(
                        "1 of 1 points rejected, the other 0 were written: points[0]: value must be finite, was NaN");
        assertThatThrownBy(() -> db.engine()
                        .insertMetric(
                                MetricPoint.of("m", Double.POSITIVE_INFINITY).at(T0)))
                .hasMessageEndingWith("value must be finite, was Infinity");
        assertThatThrownBy(() -> db.engine()
                        .bufferMetric(
                                MetricPoint.of("m", Double.NEGATIVE_INFINITY).at(T0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("value must be finite, was -Infinity");
        assertThat(stored()).isZero();
    }

    @Test
    void oneBadPointInABatchLosesNothingElse() {
        List<MetricPoint> batch = List.of(
                MetricPoint.of("ok", 1).at(T0),
                MetricPoint.of("ok", Double.NaN).at(T0),
                MetricPoint.of("", 2).at(T0),
                MetricPoint.of("ok", 3).at(T0.plusSeconds(1)));

        assertThatThrownBy(() -> db.engine().insertMetricsBatch(batch))
                .isInstanceOfSatisfying(RejectedPointsException.class, e -> {
                    assertThat(e.written()).isEqualTo(2);
                    assertThat(e.rejections())
                            .extracting(RejectedPointsException.Rejection::index)
                            .containsExactly(1, 2);
                })
                .hasMessage(
                        "2 of 4 points rejected, the other 2 were written: points[1]: value must be finite, was NaN; "
                                + "points[2]: name must not be empty");
        assertThat(db.engine().queryMetrics("ok", T0, T0.plusSeconds(2), null))
                .extracting(MetricRow::value)
                .containsExactly(1.0, 3.0);
    }

    @Test
    void emptyAndHugeNamesAreRefused() {
        String huge = "x".repeat(1 << 20);

        assertThatThrownBy(() -> db.engine().insertMetric(MetricPoint.of("", 1)))
                .hasMessageEndingWith("name must not be empty");
        assertThatThrownBy(() -> db.engine().insertMetric(MetricPoint.of(huge, 1)))
                .hasMessageEndingWith(
                        "name must be at most 1024 characters, was 1048576 characters ('" + "x".repeat(61) + "...')");
        assertThatThrownBy(() -> db.engine().series(huge, Map.of())).isInstanceOf(IllegalArgumentException.class);
        assertThat(stored()).isZero();
    }

    @Test
    void sqlLookingNamesAndLabelsAreStoredVerbatim() {
        String name = "x'); DROP TABLE samples; --";
        String label = "\"; DELETE FROM series; '";
        db.engine().insertMetric(MetricPoint.of(name, 1).withLabel(label, label).at(T0));

        assertThat(db.engine().queryMetrics(name, T0, T0.plusSeconds(1), Map.of(label, label)))
                .containsExactly(new MetricRow(T0, name, 1.0, Map.of(label, label)));
        assertThat(db.queryLong("SELECT count(*) FROM " + db.schema() + ".series"))
                .isEqualTo(1);
        assertThat(db.queryString("SELECT to_regclass('" + db.schema() + ".samples')"))
                .isNotEmpty();
    }

    @Test
    void nullLabelKeysAndValuesAreRefusedAtConstruction() {
        assertThatThrownBy(() -> MetricPoint.of("m", 1).withLabel(null, "v"))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("label key must not be null");
        assertThatThrownBy(() -> MetricPoint.of("m", 1).withLabel("venue", null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("label value must not be null (label key 'venue')");
        Map<String, String> withNull = new HashMap<>();
        withNull.put("venue", null);
        assertThatThrownBy(() -> db.engine().series("m", withNull))
                .hasMessage("label value must not be null (label key 'venue')");
    }

    @Test
    void aThousandLabelsAreRefused() {
        Map<String, String> labels = new HashMap<>();
        for (int i = 0; i < 1_000; i++) {
            labels.put("k" + i, "v");
        }

        assertThatThrownBy(() -> db.engine()
                        .insertMetric(MetricPoint.of("m", 1).withLabels(labels).at(T0)))
                .hasMessageEndingWith("labels must have at most 128 entries, was 1000");
        assertThat(stored()).isZero();
    }

    @Test
    void timesBefore1970OrAfter9999AreRefused() {
        assertThatThrownBy(() ->
                        db.engine().insertMetric(MetricPoint.of("m", 1).at(Instant.parse("1969-12-31T23:59:59Z"))))
                .hasMessageEndingWith("time must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z, was "
                        + "1969-12-31T23:59:59Z");
        assertThatThrownBy(() ->
                        db.engine().insertMetric(MetricPoint.of("m", 1).at(Instant.parse("+10000-01-01T00:00:00Z"))))
                .hasMessageEndingWith("was +10000-01-01T00:00:00Z");
        assertThatThrownBy(() -> db.engine().insertMetric(MetricPoint.of("m", 1).at(Instant.MAX)))
                .hasMessageEndingWith("was after +1000000000-12-31");
        db.engine().insertMetric(MetricPoint.of("m", 1).at(Instant.EPOCH));
        assertThat(stored()).isEqualTo(1);
    }

    @Test
    void badQueryArgumentsAreRefused() {
        assertThatThrownBy(() -> db.engine().queryMetrics("m", T0, T0.minusSeconds(1), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("end must not be before start, was start=2026-02-01T00:00:00Z, end=2026-01-31T23:59:59Z");
        assertThatThrownBy(
                        () -> db.engine().queryAggregated("m", T0, T0.plusSeconds(1), Duration.ZERO, Aggregation.AVG))
                .hasMessage("bucket must be at least 1 microsecond, was PT0S");
        assertThatThrownBy(() -> db.engine()
                        .queryAggregated("m", T0, T0.plusSeconds(1), Duration.ofMinutes(-5), Aggregation.AVG))
                .hasMessage("bucket must be at least 1 microsecond, was PT-5M");
        assertThatThrownBy(() -> Aggregation.parse("p42"))
                .hasMessage(
                        "aggregation must be one of avg, min, max, sum, count, first, last, p50, p95, p99, was 'p42'");
        assertThat(Aggregation.parse(" P99 ")).isEqualTo(Aggregation.P99);
    }
}
