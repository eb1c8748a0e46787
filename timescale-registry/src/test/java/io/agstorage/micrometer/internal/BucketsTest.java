package io.agstorage.micrometer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.HistogramPoint;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BucketsTest {

    @Test
    void cumulativeCountsBecomePerBucketCountsWithAnInfBucketForTheRest() {
        CountAtBucket[] cumulative = {new CountAtBucket(1.0, 2), new CountAtBucket(5.0, 5), new CountAtBucket(10.0, 5)};
        HistogramPoint p = Buckets.explicit(cumulative, 8, 60.0, 42.0, null);
        assertThat(p.bucketBounds()).containsExactly(1.0, 5.0, 10.0);
        assertThat(p.bucketCounts()).containsExactly(2, 3, 0, 3);
        assertThat(p.count()).isEqualTo(8);
        assertThat(p.sum()).isEqualTo(60.0);
        assertThat(p.max()).isEqualTo(42.0);
        assertThat(p.min()).isNaN();
    }

    @Test
    void timerBoundsAreExpressedInTheBaseTimeUnit() {
        CountAtBucket[] cumulative = {
            new CountAtBucket((double) TimeUnit.MILLISECONDS.toNanos(10), 1),
            new CountAtBucket((double) TimeUnit.MILLISECONDS.toNanos(100), 3)
        };
        HistogramPoint p = Buckets.explicit(cumulative, 3, 0.15, 0.09, TimeUnit.SECONDS);
        assertThat(p.bucketBounds()).containsExactly(0.01, 0.1);
        assertThat(p.bucketCounts()).containsExactly(1, 2, 0);
    }

    @Test
    void anExplicitInfEntryIsTheLastBucketsCumulativeCount() {
        CountAtBucket[] cumulative = {new CountAtBucket(1.0, 1), new CountAtBucket(Double.POSITIVE_INFINITY, 4)};
        HistogramPoint p = Buckets.explicit(cumulative, 999, Double.NaN, Double.NaN, null);
        assertThat(p.bucketBounds()).containsExactly(1.0);
        assertThat(p.bucketCounts()).containsExactly(1, 3);
        assertThat(p.count()).isEqualTo(4);
    }

    @Test
    void aCountThatRacedBehindTheBucketsNeverMakesARowInconsistent() {
        CountAtBucket[] cumulative = {new CountAtBucket(1.0, 3), new CountAtBucket(2.0, 5)};
        HistogramPoint p = Buckets.explicit(cumulative, 4, 7.0, 2.0, null);
        assertThat(p.bucketCounts()).containsExactly(3, 2, 0);
        assertThat(p.count()).isEqualTo(5);
    }

    @Test
    void boundsThatCollapseAfterConversionAreMerged() {
        CountAtBucket[] cumulative = {new CountAtBucket(1.0, 1), new CountAtBucket(1.0, 3), new CountAtBucket(2.0, 4)};
        HistogramPoint p = Buckets.explicit(cumulative, 4, 5.0, 2.0, null);
        assertThat(p.bucketBounds()).containsExactly(1.0, 2.0);
        assertThat(p.bucketCounts()).containsExactly(3, 1, 0);
    }

    @Test
    void noBucketsMeansNoHistogram() {
        assertThat(Buckets.explicit(new CountAtBucket[0], 3, 1.0, 1.0, null)).isNull();
    }

    @Test
    void infiniteSumsAreStoredAsAbsent() {
        HistogramPoint p = Buckets.explicit(
                new CountAtBucket[] {new CountAtBucket(1.0, 1)}, 1, Double.POSITIVE_INFINITY, Double.NaN, null);
        assertThat(p.sum()).isNaN();
    }
}
