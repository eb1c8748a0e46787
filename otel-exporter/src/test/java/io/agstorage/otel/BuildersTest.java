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

    @Test
    void receiverSettersCheckTheirRanges() {
        assertThatThrownBy(() -> OtlpReceiver.builder().setGrpcPort(-2))
                .hasMessage("grpcPort must be between -1 (off) and 65535, was -2");
        assertThatThrownBy(() -> OtlpReceiver.builder().setMaxBodyBytes(10))
                .hasMessage("maxBodyBytes must be >= 1024, was 10");
        assertThatThrownBy(() -> OtlpReceiver.builder().setBearerToken(" "))
                .hasMessage("bearerToken must not be blank");
        assertThatThrownBy(() -> OtlpReceiver.builder().setHttpThreads(0))
                .hasMessage("httpThreads must be between 1 and 1024, was 0");
        assertThatThrownBy(() -> OtlpReceiver.builder().start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("engine must be set");
    }
}
