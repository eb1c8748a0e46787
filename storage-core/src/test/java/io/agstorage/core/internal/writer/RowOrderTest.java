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
        assertThat(order.sort(new long[2], new long[] {-1, -2}, new double[2], 0, 2))
                .as("a negative id")
                .isFalse();
        int tooMany = (1 << 20) + 1;
        long[] descending = new long[tooMany];
        for (int i = 0; i < tooMany; i++) {
            descending[i] = tooMany - i;
        }
        assertThat(order.sort(new long[tooMany], descending, new double[tooMany], 0, tooMany))
                .as("more rows than a key's index holds")
                .isFalse();
    }

    @Test
    void theLargestKeyableIdIsOrdered() {
        long largest = (1L << 43) - 1;
        RowOrder order = new RowOrder();
        assertThat(order.sort(new long[] {1, 2}, new long[] {largest, 1}, new double[] {10, 20}, 0, 2))
                .isTrue();
        assertThat(Arrays.copyOf(order.ids, 2)).containsExactly(1, largest);
        assertThat(Arrays.copyOf(order.values, 2)).containsExactly(20, 10);
        assertThat(order.sort(new long[2], new long[] {largest + 1, 1}, new double[2], 0, 2))
                .as("2^43")
                .isFalse();
    }
}
