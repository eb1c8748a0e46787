package io.agstorage.otlp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.otel.mapping.Labels;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The SDK and OTLP paths must turn the same attribute into the same label text, or one series becomes two. */
class LabelsTest {

    private static AnyValue s(String v) {
        return AnyValue.newBuilder().setStringValue(v).build();
    }

    private static AnyValue l(long v) {
        return AnyValue.newBuilder().setIntValue(v).build();
    }

    private static AnyValue d(double v) {
        return AnyValue.newBuilder().setDoubleValue(v).build();
    }

    private static AnyValue b(boolean v) {
        return AnyValue.newBuilder().setBoolValue(v).build();
    }

    private static AnyValue array(AnyValue... values) {
        return AnyValue.newBuilder()
                .setArrayValue(ArrayValue.newBuilder().addAllValues(List.of(values)))
                .build();
    }

    @Test
    void scalarsAreTheSameTextOnBothPaths() {
        assertThat(OtlpMetricMapper.text(s("a\"b")))
                .isEqualTo(Labels.text("a\"b"))
                .isEqualTo("a\"b");
        assertThat(OtlpMetricMapper.text(l(42))).isEqualTo(Labels.text(42L)).isEqualTo("42");
        assertThat(OtlpMetricMapper.text(d(1.5))).isEqualTo(Labels.text(1.5)).isEqualTo("1.5");
        assertThat(OtlpMetricMapper.text(b(true))).isEqualTo(Labels.text(true)).isEqualTo("true");
    }

    @Test
    void arraysAreJsonOnBothPaths() {
        assertThat(OtlpMetricMapper.text(array(s("x"), s("y\n"))))
                .isEqualTo(Labels.text(List.of("x", "y\n")))
                .isEqualTo("[\"x\",\"y\\n\"]");
        assertThat(OtlpMetricMapper.text(array(l(1), l(2))))
                .isEqualTo(Labels.text(List.of(1L, 2L)))
                .isEqualTo("[1,2]");
        assertThat(OtlpMetricMapper.text(array(d(0.5))))
                .isEqualTo(Labels.text(List.of(0.5)))
                .isEqualTo("[0.5]");
        assertThat(OtlpMetricMapper.text(array(b(false))))
                .isEqualTo(Labels.text(List.of(false)))
                .isEqualTo("[false]");
    }
}
