package io.agstorage.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HistogramPointTest {

    @Test
    void explicitBucketsNeedOneMoreCountThanBounds() {
        assertThatThrownBy(() -> HistogramPoint.explicit(3, 6, 1, 3, new double[] {1, 2}, new long[] {1, 2}))
                .hasMessage("bucket_counts must have bucket_bounds.length + 1 = 3 entries, was 2");
    }

    @Test
    void boundsMustIncreaseAndCountsAddUp() {
        assertThatThrownBy(() -> HistogramPoint.explicit(2, 1, 0, 1, new double[] {2, 1}, new long[] {1, 1, 0}))
                .hasMessage("bucket_bounds must be finite and strictly increasing, was [2.0, 1.0]");
        assertThatThrownBy(() -> HistogramPoint.explicit(5, 1, 0, 1, new double[] {1}, new long[] {1, 1}))
                .hasMessage("bucket_counts must add up to count 5, added up to 2");
        assertThatThrownBy(() -> HistogramPoint.explicit(0, 1, 0, 1, new double[] {1}, new long[] {-1, 1}))
                .hasMessage("bucket_counts must all be >= 0, was [-1, 1]");
        assertThatThrownBy(() ->
                        HistogramPoint.explicit(1, Double.POSITIVE_INFINITY, 0, 1, new double[] {1}, new long[] {1, 0}))
                .hasMessage("sum must be finite or absent (NaN), was Infinity");
    }

    @Test
    void exponentialCountsIncludeZeroAndBothSides() {
        HistogramPoint h = HistogramPoint.exponential(
                6, 10, Double.NaN, Double.NaN, 3, 1, -2, new long[] {2, 1}, 0, new long[] {2});

        assertThat(h.isExponential()).isTrue();
        assertThat(h.positiveCounts()).containsExactly(2, 1);
        assertThatThrownBy(() -> HistogramPoint.exponential(9, 10, 0, 0, 3, 1, 0, new long[] {2}, 0, new long[] {2}))
                .hasMessage("positive_counts must add up to count 9, added up to 5");
        assertThatThrownBy(() -> HistogramPoint.exponential(1, 1, 0, 0, 40, 1, 0, new long[0], 0, new long[0]))
                .hasMessage("scale must be between -10 and 20, was 40");
    }
}
