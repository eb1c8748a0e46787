package io.agstorage.core.internal.writer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RowOrderTest {

    @Test
    void rowsAreOrderedBySeriesAndKeepTheirArrivalOrderWithinOne() {
        // Three exports of series 7, 3 and 5, interleaved as a batch holds them; rows [1, 9) of 10.
        long[] times = {0, 1, 1, 1, 2, 2, 2, 3, 3, 99};
        long[] ids = {9, 7, 3, 5, 7, 3, 5, 7, 3, 1};
        double[] values = {0, 10, 11, 12, 20, 21, 22, 30, 31, 99};
        RowOrder order = new RowOrder();

        assertThat(order.sort(times, ids, values, 1, 9)).isTrue();

        assertThat(Arrays.copyOf(order.ids, 8)).containsExactly(3, 3, 3, 5, 5, 7, 7, 7);
        assertThat(Arrays.copyOf(order.times, 8)).containsExactly(1, 2, 3, 1, 2, 1, 2, 3);
        assertThat(Arrays.copyOf(order.values, 8)).containsExactly(11, 21, 31, 12, 22, 10, 20, 30);
    }

    @Test
    void rowsInOrderAlreadyOrThatCannotBeKeyedAreLeftAsTheyAre() {
        RowOrder order = new RowOrder();
        assertThat(order.sort(new long[] {1, 2, 1}, new long[] {3, 3, 4}, new double[3], 0, 3))
                .as("in order")
                .isFalse();
        assertThat(order.sort(new long[] {1, 2}, new long[] {1L << 50, 3}, new double[2], 0, 2))
                .as("an id past 2^43")
                .isFalse();
        assertThat(order.sort(new long[1], new long[1], new double[1], 0, 1))
                .as("one row")
                .isFalse();
    }
}
