package io.agstorage.otel.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.HistogramPoint;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class CumulativeStateTest {

    private static final long START = 1_000;
    private final CumulativeState state = new CumulativeState(100, START);
    private final Map<String, String> labels = new TreeMap<>(Map.of("k", "v"));

    private double delta(CumulativeState.Undo undo, long start, long time, double value) {
        return state.sumDelta(undo, "c", labels, "sum", true, start, time, value);
    }

    @Test
    void firstPointOfASeriesThatStartedAfterThisInstanceCountsInFull() {
        assertThat(delta(state.newUndo(), START, 2_000, 10)).isEqualTo(10);
    }

    @Test
    void firstPointOfASeriesThatStartedEarlierOrAtAnUnknownTimeIsOnlyRemembered() {
        assertThat(delta(state.newUndo(), START - 1, 2_000, 10)).isNaN();
        assertThat(delta(state.newUndo(), START - 1, 3_000, 12)).isEqualTo(2);
        assertThat(state.sumDelta(state.newUndo(), "other", labels, "sum", true, 0, 2_000, 5))
                .isNaN();
    }

    @Test
    void sameStartTimeGivesTheDifferenceAndANewStartTimeOrADropIsAReset() {
        CumulativeState.Undo undo = state.newUndo();
        assertThat(delta(undo, START, 2_000, 10)).isEqualTo(10);
        assertThat(delta(undo, START, 3_000, 15)).isEqualTo(5);
        assertThat(delta(undo, START, 3_000, 15)).as("a repeated point").isNaN();
        assertThat(delta(undo, START, 2_500, 12)).as("an older point").isNaN();
        assertThat(delta(undo, 3_500, 4_000, 4)).as("new start time").isEqualTo(4);
        assertThat(delta(undo, 3_500, 5_000, 1)).as("monotonic value dropped").isEqualTo(1);
    }

    @Test
    void nonMonotonicSumsMayGoDown() {
        CumulativeState.Undo undo = state.newUndo();
        assertThat(state.sumDelta(undo, "u", labels, "sum", false, START, 2_000, 10))
                .isEqualTo(10);
        assertThat(state.sumDelta(undo, "u", labels, "sum", false, START, 3_000, 4))
                .isEqualTo(-6);
    }

    @Test
    void rollbackRestoresTheStateSoARetryStoresTheSameDelta() {
        assertThat(delta(state.newUndo(), START, 2_000, 10)).isEqualTo(10);
        CumulativeState.Undo failed = state.newUndo();
        assertThat(delta(failed, START, 3_000, 15)).isEqualTo(5);
        failed.rollback();
        assertThat(delta(state.newUndo(), START, 3_000, 15)).isEqualTo(5);
    }

    @Test
    void rollbackOfANewSeriesForgetsIt() {
        CumulativeState.Undo failed = state.newUndo();
        assertThat(delta(failed, START, 2_000, 10)).isEqualTo(10);
        failed.rollback();
        assertThat(state.size()).isZero();
        assertThat(delta(state.newUndo(), START, 2_000, 10)).isEqualTo(10);
    }

    @Test
    void cumulativeHistogramsBecomeBucketWiseDifferences() {
        CumulativeState.Undo undo = state.newUndo();
        HistogramPoint first = HistogramPoint.explicit(3, 6, 1, 3, new double[] {1, 2}, new long[] {1, 1, 1});
        HistogramPoint second = HistogramPoint.explicit(5, 10, 1, 3, new double[] {1, 2}, new long[] {1, 2, 2});
        assertThat(state.histogramDelta(undo, "h", labels, START, 2_000, first)).isSameAs(first);
        HistogramPoint delta = state.histogramDelta(undo, "h", labels, START, 3_000, second);
        assertThat(delta.count()).isEqualTo(2);
        assertThat(delta.sum()).isEqualTo(4);
        assertThat(delta.bucketCounts()).containsExactly(0, 1, 1);
        assertThat(delta.min()).isNaN();
        HistogramPoint fewer = HistogramPoint.explicit(1, 1, 1, 1, new double[] {1, 2}, new long[] {1, 0, 0});
        assertThat(state.histogramDelta(undo, "h", labels, START, 4_000, fewer))
                .as("counts dropped: a reset")
                .isSameAs(fewer);
    }

    @Test
    void aKeyKeptWithTheSeriesAndAFreshKeyShareOneState() {
        CumulativeState.Key kept = CumulativeState.sumKey("c", labels);
        assertThat(state.sumDelta(state.newUndo(), kept, true, START, 2_000, 10))
                .isEqualTo(10);
        assertThat(delta(state.newUndo(), START, 3_000, 15)).isEqualTo(5);
        assertThat(state.sumDelta(state.newUndo(), kept, true, START, 4_000, 16))
                .isEqualTo(1);
        assertThat(state.size()).isEqualTo(1);
    }

    @Test
    void aKeptKeyWhoseSeriesWasRolledBackStartsOverAsFirstSeen() {
        CumulativeState.Key kept = CumulativeState.sumKey("c", labels);
        CumulativeState.Undo failed = state.newUndo();
        assertThat(state.sumDelta(failed, kept, true, START, 2_000, 10)).isEqualTo(10);
        failed.rollback();
        assertThat(state.size()).isZero();
        assertThat(state.sumDelta(state.newUndo(), kept, true, START, 2_000, 10))
                .as("retry of the failed export")
                .isEqualTo(10);
        assertThat(delta(state.newUndo(), START, 3_000, 15)).isEqualTo(5);
        assertThat(state.size()).isEqualTo(1);
    }

    @Test
    void aKeptKeyOfAnEvictedSeriesNeverUpdatesStateTheMapNoLongerHolds() {
        CumulativeState small = new CumulativeState(1, START, Runnable::run);
        Map<String, String> other = new TreeMap<>(Map.of("k", "w"));
        CumulativeState.Key a = CumulativeState.sumKey("c", labels);
        CumulativeState.Key b = CumulativeState.sumKey("c", other);
        // Started before this instance: a series first seen stores nothing (NaN), so an eviction shows.
        assertThat(small.sumDelta(small.newUndo(), a, true, START - 1, 2_000, 10))
                .isNaN();
        assertThat(small.sumDelta(small.newUndo(), a, true, START - 1, 3_000, 15))
                .isEqualTo(5);
        assertThat(small.sumDelta(small.newUndo(), b, true, START - 1, 2_000, 7))
                .isNaN();
        assertThat(small.size()).isEqualTo(1);
        // The least used series, a, was evicted: its kept key looks it up again and finds it first seen.
        assertThat(small.sumDelta(small.newUndo(), a, true, START - 1, 4_000, 20))
                .isNaN();
        // The kept key updated the state the map holds (not the evicted one): a fresh key sees its update.
        assertThat(small.sumDelta(small.newUndo(), "c", labels, "sum", true, START - 1, 5_000, 26))
                .isEqualTo(6);
        assertThat(small.size()).isEqualTo(1);
    }
}
