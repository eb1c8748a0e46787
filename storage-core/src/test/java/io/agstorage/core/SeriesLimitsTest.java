package io.agstorage.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SeriesLimitsTest {

    @Test
    void defaultsAreAMillionSeriesAHundredThousandPerMetricSixteenKibOfLabels() {
        SeriesLimits d = StorageConfig.builder().build().limits();
        assertThat(d).isEqualTo(SeriesLimits.defaults());
        assertThat(d.maxSeries()).isEqualTo(1_000_000);
        assertThat(d.maxSeriesPerMetric()).isEqualTo(100_000);
        assertThat(d.maxLabelBytes()).isEqualTo(16_384);
        assertThat(d.maxCachedSeries()).isEqualTo(100_000);
    }

    @Test
    void limitsAreReadFromTheLimitsSectionAndTheEnvironment() {
        StorageConfig c = StorageConfig.builder()
                .yaml("limits:\n  max_series: 5000\n  max_series_per_metric: 50\n  max_label_bytes: 1024\n")
                .environment(Map.of("AG_STORAGE_LIMITS_MAX_CACHED_SERIES", "2000"))
                .build();
        assertThat(c.limits().maxSeries()).isEqualTo(5_000);
        assertThat(c.limits().maxSeriesPerMetric()).isEqualTo(50);
        assertThat(c.limits().maxLabelBytes()).isEqualTo(1_024);
        assertThat(c.limits().maxCachedSeries()).isEqualTo(2_000);
        assertThat(c.toString())
                .contains("max_series=5000, max_series_per_metric=50, max_label_bytes=1024, max_cached_series=2000");
        assertThat(StorageConfig.builder()
                        .set("limits.max_series", "7")
                        .build()
                        .limits()
                        .maxSeries())
                .isEqualTo(7);
    }

    @Test
    void badLimitsNameTheKeyTheRuleAndTheValue() {
        assertThatThrownBy(() -> StorageConfig.builder().yaml("limits:\n  max_series: 0\n"))
                .hasMessage("limits.max_series must be > 0, was 0");
        assertThatThrownBy(() -> StorageConfig.builder().yaml("limits:\n  max_series: many\n"))
                .hasMessage("limits.max_series must be an integer, was 'many'");
        assertThatThrownBy(() -> StorageConfig.builder().yaml("limits:\n  max_series_per_metric: -5\n"))
                .hasMessage("limits.max_series_per_metric must be > 0, was -5");
        assertThatThrownBy(() -> StorageConfig.builder().yaml("limits:\n  max_label_bytes: 10\n"))
                .hasMessage("limits.max_label_bytes must be >= 64, was 10");
        assertThatThrownBy(() -> SeriesLimits.builder().setMaxLabelBytes(2_000_000))
                .hasMessage("limits.max_label_bytes must be <= 1048576, was 2000000");
        assertThatThrownBy(() -> SeriesLimits.builder().setMaxCachedSeries(10))
                .hasMessage("limits.max_cached_series must be >= 1000, was 10");
        assertThatThrownBy(() -> StorageConfig.builder().yaml("limits:\n  max_serie: 10\n"))
                .hasMessage("unknown configuration key 'limits.max_serie'");
        Map<String, String> env = Map.of("AG_STORAGE_LIMITS_MAX_SERIES", "-1");
        String rule = "limits.max_series must be > 0, was -1";
        assertThatThrownBy(() -> StorageConfig.builder().environment(env))
                .hasMessage(rule + " (from environment variable AG_STORAGE_LIMITS_MAX_SERIES)");
    }
}
