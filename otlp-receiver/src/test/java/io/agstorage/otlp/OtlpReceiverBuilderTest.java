package io.agstorage.otlp;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OtlpReceiverBuilderTest {

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
