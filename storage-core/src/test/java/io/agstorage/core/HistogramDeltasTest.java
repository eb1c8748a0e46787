package io.agstorage.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HistogramDeltasTest {

    @Test
    void explicitHistogramsWithOtherBoundsCannotBeSubtracted() {
        HistogramPoint a = HistogramPoint.explicit(1, 1, 1, 1, new double[] {1}, new long[] {1, 0});
        HistogramPoint b = HistogramPoint.explicit(2, 2, 1, 1, new double[] {2}, new long[] {2, 0});
        assertThat(HistogramDeltas.subtract(b, a)).isNull();
    }

    @Test
    void exponentialHistogramsAreSubtractedAfterDownscalingThePreviousOne() {
        // previous at scale 1: buckets 4 and 5 (offset 4); current at scale 0: bucket 2 holds both, plus one more in 3.
        HistogramPoint previous =
                HistogramPoint.exponential(2, 5, Double.NaN, Double.NaN, 1, 0, 4, new long[] {1, 1}, 0, new long[0]);
        HistogramPoint current =
                HistogramPoint.exponential(4, 12, Double.NaN, Double.NaN, 0, 1, 2, new long[] {2, 1}, 0, new long[0]);
        HistogramPoint delta = HistogramDeltas.subtract(current, previous);
        assertThat(delta).isNotNull();
        assertThat(delta.scale()).isZero();
        assertThat(delta.count()).isEqualTo(2);
        assertThat(delta.zeroCount()).isEqualTo(1);
        assertThat(delta.positiveOffset()).isEqualTo(2);
        assertThat(delta.positiveCounts()).containsExactly(0, 1);
        assertThat(delta.sum()).isEqualTo(7);
    }

    @Test
    void exponentialScaleThatGrewIsAReset() {
        HistogramPoint previous =
                HistogramPoint.exponential(1, 1, Double.NaN, Double.NaN, 0, 0, 0, new long[] {1}, 0, new long[0]);
        HistogramPoint current =
                HistogramPoint.exponential(2, 2, Double.NaN, Double.NaN, 1, 0, 0, new long[] {2}, 0, new long[0]);
        assertThat(HistogramDeltas.subtract(current, previous)).isNull();
    }
}
