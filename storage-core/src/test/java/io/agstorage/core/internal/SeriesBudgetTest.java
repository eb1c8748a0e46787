package io.agstorage.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agstorage.core.MetricType;
import io.agstorage.core.SeriesLimitException;
import io.agstorage.core.SeriesLimitException.Reason;
import io.agstorage.core.SeriesLimits;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SeriesBudgetTest {

    private static SortedMap<String, String> labels(String... kv) {
        SortedMap<String, String> m = new TreeMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void aNewSeriesPastMaxSeriesIsRefusedNamingTheMetricAndTheLimit() {
        SeriesBudget budget =
                new SeriesBudget(SeriesLimits.builder().setMaxSeries(2).build());
        budget.admit("a", labels("k", "1"));
        budget.admit("b", labels("k", "1"));
        budget.admit("a", labels("k", "1")); // known: admitted again, not counted again
        assertThatThrownBy(() -> budget.admit("c", labels()))
                .isInstanceOf(SeriesLimitException.class)
                .hasMessage("metric 'c': new series refused, limits.max_series=2 reached (2 series known to this "
                        + "engine)")
                .satisfies(e -> assertThat(((SeriesLimitException) e).reason()).isEqualTo(Reason.MAX_SERIES))
                .satisfies(e -> assertThat(((SeriesLimitException) e).metric()).isEqualTo("c"));
        assertThat(budget.known()).isEqualTo(2);
        assertThat(budget.refused(Reason.MAX_SERIES)).isEqualTo(1);
    }

    @Test
    void aNewSeriesPastMaxSeriesPerMetricIsRefusedWhileOtherMetricsGrow() {
        SeriesBudget budget =
                new SeriesBudget(SeriesLimits.builder().setMaxSeriesPerMetric(2).build());
        budget.admit("m", labels("k", "1"));
        budget.admit("m", labels("k", "2"));
        assertThatThrownBy(() -> budget.admit("m", labels("k", "3")))
                .hasMessage("metric 'm': new series refused, limits.max_series_per_metric=2 reached (2 series of this "
                        + "metric)");
        budget.admit("other", labels("k", "3"));
        budget.admit("m", labels("k", "2"));
        assertThat(budget.known("m")).isEqualTo(2);
        assertThat(budget.refused(Reason.MAX_SERIES_PER_METRIC)).isEqualTo(1);
    }

    @Test
    void labelsOverMaxLabelBytesAreRefusedCountingUtf8Bytes() {
        SeriesBudget budget =
                new SeriesBudget(SeriesLimits.builder().setMaxLabelBytes(64).build());
        budget.admit("m", labels("k", "x".repeat(63))); // 1 + 63 = 64 bytes: at the limit
        assertThatThrownBy(() -> budget.admit("m", labels("k", "é".repeat(32)))) // 1 + 64 bytes
                .hasMessage("metric 'm': new series refused, its labels take 65 bytes, over limits.max_label_bytes=64");
        assertThat(SeriesBudget.labelBytes(Map.of("k", "\uD83D\uDE00"))).isEqualTo(5); // a pair: 4 bytes
        assertThat(budget.refused(Reason.LABEL_BYTES)).isEqualTo(1);
    }

    @Test
    void aSeriesTheDatabaseHoldsIsCountedButNeverRefused() {
        SeriesBudget budget =
                new SeriesBudget(SeriesLimits.builder().setMaxSeries(1).build());
        budget.exists("m", labels("k", "1"));
        budget.exists("m", labels("k", "2"));
        assertThat(budget.known()).isEqualTo(2);
        budget.admit("m", labels("k", "2"));
        assertThatThrownBy(() -> budget.admit("m", labels("k", "3"))).isInstanceOf(SeriesLimitException.class);
    }

    @Test
    void fingerprintsTellLabelsApartFromTheirConcatenation() {
        assertThat(SeriesBudget.fingerprint("m", labels("ab", "c")))
                .isNotEqualTo(SeriesBudget.fingerprint("m", labels("a", "bc")));
        assertThat(SeriesBudget.fingerprint("ma", labels()))
                .isNotEqualTo(SeriesBudget.fingerprint("m", labels("a", "")));
        FingerprintTable table = new FingerprintTable();
        for (long i = -5_000; i < 5_000; i++) {
            assertThat(table.add(i * 0x9E3779B97F4A7C15L)).isTrue();
        }
        assertThat(table.add(0)).isFalse();
        assertThat(table.size()).isEqualTo(10_000);
        assertThat(table.contains(7 * 0x9E3779B97F4A7C15L)).isTrue();
        assertThat(table.contains(12_345)).isFalse();
    }

    @Test
    void anIdIsHandedBackOnlyToTheSeriesItWasRememberedFor() {
        FingerprintTable table = new FingerprintTable();
        table.add(42);
        table.remember(42, 7, 1001, 5);
        table.remember(43, 7, 1002, 5); // not known: left alone
        assertThat(table.withId(42, 8)).as("same fingerprint, another series").isEqualTo(-1);
        assertThat(table.withId(43, 7)).isEqualTo(-1);
        int slot = table.withId(42, 7);
        assertThat(table.id(slot)).isEqualTo(1001);
        assertThat(table.resolvedAt(slot)).isEqualTo(5);
        for (long i = 1; i < 5_000; i++) { // grown many times over: the id moves with its key
            table.add(i * 0x9E3779B97F4A7C15L);
        }
        assertThat(table.id(table.withId(42, 7))).isEqualTo(1001);
        assertThat(SeriesBudget.idCheck("m", labels("ab", "c")))
                .isNotEqualTo(SeriesBudget.idCheck("m", labels("a", "bc")));
        assertThat(SeriesBudget.idCheck("m", labels("k", "1")))
                .isNotEqualTo(SeriesBudget.fingerprint("m", labels("k", "1")));
    }

    @Test
    void aSeriesInternedAgainAfterItsEvictionHasTheIdResolvedForItUnlessItsRefreshIsDue() {
        SeriesLimits limits = SeriesLimits.builder().setMaxCachedSeries(1_000).build();
        SeriesRegistry registry = new SeriesRegistry(limits, new SeriesBudget(limits));
        long now = System.nanoTime();
        SeriesRef[] first = new SeriesRef[10_000];
        for (int i = 0; i < first.length; i++) {
            first[i] = registry.intern("m", Map.of("i", Integer.toString(i)), MetricType.GAUGE, null, null);
        }
        assertThat(registry.evicted()).isGreaterThanOrEqualTo(9_000);
        for (int i = 0; i < first.length; i++) { // the writer resolves them, most of them evicted by then
            if (i % 3 != 0) { // every third is never resolved
                first[i].resolved(10_000 + i, i % 3 == 1 ? now : now - SeriesRef.REFRESH_NANOS - 1);
            }
        }
        int internedAgain = 0;
        for (int i = 0; i < first.length; i++) {
            SeriesRef ref = registry.intern("m", Map.of("i", Integer.toString(i)), MetricType.GAUGE, null, null);
            if (ref == first[i]) {
                continue; // not evicted
            }
            internedAgain++;
            assertThat(ref.newToEngine()).isFalse();
            if (i % 3 == 1) {
                assertThat(ref.id()).isEqualTo(10_000 + i);
                assertThat(ref.needsResolve(now)).as("resolved now").isFalse();
            } else { // never resolved, or resolved too long ago (the series may be gone): resolved again
                assertThat(ref.id()).as("i=%d", i).isZero();
            }
        }
        assertThat(internedAgain).isGreaterThanOrEqualTo(8_000);
    }

    @Test
    void theRegistryStaysBoundedAndAnEvictedSeriesIsNotCountedTwice() {
        SeriesLimits limits = SeriesLimits.builder()
                .setMaxCachedSeries(1_000)
                .setMaxSeries(5_000)
                .setMaxSeriesPerMetric(5_000)
                .build();
        SeriesRegistry registry = new SeriesRegistry(limits, new SeriesBudget(limits));
        for (int i = 0; i < 5_000; i++) {
            registry.intern("m", Map.of("i", Integer.toString(i)), MetricType.GAUGE, null, null);
        }
        assertThat(registry.size()).isLessThanOrEqualTo(1_000);
        assertThat(registry.evicted()).isGreaterThanOrEqualTo(4_000);
        for (int i = 0; i < 5_000; i++) { // all evicted at least once, met again: known, so admitted
            registry.intern("m", Map.of("i", Integer.toString(i)), MetricType.GAUGE, null, null);
        }
        assertThat(registry.budget().known()).isEqualTo(5_000);
        assertThatThrownBy(() -> registry.intern("m", Map.of("i", "new"), MetricType.GAUGE, null, null))
                .isInstanceOf(SeriesLimitException.class);
    }
}
