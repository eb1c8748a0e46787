package io.agstorage.otel;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BuildersTest {

    @Test
    void exporterNeedsExactlyOneOfEngineOrConfig() {
        assertThatThrownBy(() -> TimescaleMetricExporter.builder().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("set exactly one of engine or config, was neither");
        assertThatThrownBy(() -> TimescaleMetricExporter.builder().setMaxCumulativeSeries(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxCumulativeSeries must be >= 1, was 0");
    }
}
