package io.agstorage.core.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

class ValueSketchTest {

    /** percentile_cont over the exact values. */
    private static double exact(double[] sorted, double q) {
        double rank = q * (sorted.length - 1);
        int lo = (int) Math.floor(rank);
        double f = rank - lo;
        return f == 0 ? sorted[lo] : sorted[lo] + f * (sorted[lo + 1] - sorted[lo]);
    }

    @Test
    void everyQuantileIsWithinTheRelativeAccuracyOnSkewedData() {
        Random random = new Random(7);
        DoubleSupplier[] shapes = {
            () -> Math.exp(2 + 2 * random.nextGaussian()),
            () -> 1.0 / Math.pow(1 - random.nextDouble(), 1 / 1.1),
            () -> -Math.exp(random.nextGaussian()),
            () -> random.nextBoolean() ? 1e-6 * (1 + random.nextDouble()) : 1e6 * (1 + random.nextDouble())
        };
        for (DoubleSupplier shape : shapes) {
            double[] values = new double[20_001];
            ValueSketch sketch = new ValueSketch();
            for (int i = 0; i < values.length; i++) {
                values[i] = shape.getAsDouble();
                sketch.add(values[i]);
            }
            Arrays.sort(values);
            for (double q : new double[] {0, 0.01, 0.5, 0.9, 0.95, 0.99, 0.999, 1}) {
                double expected = exact(values, q);
                assertThat(Math.abs(sketch.quantile(q) - expected) / Math.abs(expected))
                        .as("q=" + q)
                        .isLessThanOrEqualTo(ValueSketch.RELATIVE_ACCURACY * (1 + 1e-9));
            }
            assertThat(sketch.count()).isEqualTo(values.length);
        }
    }

    @Test
    void mergingIsExactAndTheEncodingRoundTrips() {
        ValueSketch a = new ValueSketch();
        ValueSketch b = new ValueSketch();
        ValueSketch all = new ValueSketch();
        Random random = new Random(3);
        for (int i = 0; i < 5_000; i++) {
            double v = random.nextGaussian() * 100;
            (i % 2 == 0 ? a : b).add(v);
            all.add(v);
        }
        all.add(0.0);
        a.add(0.0);
        assertThat(new ValueSketch().merge(a).merge(b).encoded()).isEqualTo(all.encoded());
        long[] repeated = new long[] {a.encoded()[0], a.encoded()[0]};
        assertThat(new ValueSketch().addEncoded(repeated).count()).isEqualTo(2 * (a.encoded()[0] & ((1L << 43) - 1)));
        assertThat(new ValueSketch().addEncoded(all.encoded()).encoded()).isEqualTo(all.encoded());
        long[] sorted = all.encoded().clone();
        Arrays.sort(sorted);
        assertThat(all.encoded()).as("entries sort as their keys and values do").isEqualTo(sorted);
    }

    @Test
    void keysMatchTheStoredDefinition() {
        assertThat(ValueSketch.key(0.0)).isZero();
        assertThat(ValueSketch.key(1.0)).isEqualTo(100_000);
        assertThat(ValueSketch.key(1.01)).isEqualTo(100_001);
        assertThat(ValueSketch.key(-1.01)).isEqualTo(-100_001);
        assertThat(ValueSketch.value(100_001) / 1.01).isCloseTo(1, org.assertj.core.api.Assertions.within(0.005));
        assertThat(new ValueSketch().quantile(0.5)).isNaN();
        assertThatThrownBy(() -> ValueSketch.key(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("value must be finite, was NaN");
        assertThatThrownBy(() -> new ValueSketch().quantile(1.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("q must be between 0 and 1, was 1.5");
    }
}
