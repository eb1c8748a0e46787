package io.agstorage.otlp.internal;

import io.agstorage.core.json.LabelsJson;
import io.agstorage.otel.mapping.Labels;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.Base64;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/** Label text for OTLP attributes: resource, scope and point attributes, rendered as {@link Labels} renders them. */
final class OtlpAttributes {

    private OtlpAttributes() {}

    static void scope(InstrumentationScope scope, SortedMap<String, String> into) {
        if (!scope.getName().isEmpty()) {
            into.put(Labels.SCOPE_NAME, scope.getName());
        }
        if (!scope.getVersion().isEmpty()) {
            into.put(Labels.SCOPE_VERSION, scope.getVersion());
        }
        attributes(Labels.SCOPE_PREFIX, scope.getAttributesList(), into);
    }

    static SortedMap<String, String> labels(SortedMap<String, String> base, List<KeyValue> attributes) {
        return attributes("", attributes, new TreeMap<>(base));
    }

    static SortedMap<String, String> attributes(
            String prefix, List<KeyValue> attributes, SortedMap<String, String> into) {
        for (KeyValue kv : attributes) {
            into.put(prefix + kv.getKey(), text(kv.getValue()));
        }
        return into;
    }

    /** The same text as {@link Labels#text} gives for the equivalent SDK value. */
    static String text(AnyValue v) {
        return switch (v.getValueCase()) {
            case STRING_VALUE -> v.getStringValue();
            case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
            case INT_VALUE -> Long.toString(v.getIntValue());
            case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
            case BYTES_VALUE ->
                Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray());
            case ARRAY_VALUE -> {
                StringBuilder sb = new StringBuilder("[");
                List<AnyValue> values = v.getArrayValue().getValuesList();
                for (int i = 0; i < values.size(); i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    json(values.get(i), sb);
                }
                yield sb.append(']').toString();
            }
            case KVLIST_VALUE -> {
                StringBuilder sb = new StringBuilder();
                json(v, sb);
                yield sb.toString();
            }
            default -> "";
        };
    }

    private static void json(AnyValue v, StringBuilder sb) {
        switch (v.getValueCase()) {
            case STRING_VALUE, BYTES_VALUE -> LabelsJson.appendString(sb, text(v));
            case KVLIST_VALUE -> {
                sb.append('{');
                List<KeyValue> kvs = v.getKvlistValue().getValuesList();
                for (int i = 0; i < kvs.size(); i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    LabelsJson.appendString(sb, kvs.get(i).getKey());
                    sb.append(':');
                    json(kvs.get(i).getValue(), sb);
                }
                sb.append('}');
            }
            case VALUE_NOT_SET -> sb.append("null");
            default -> sb.append(text(v));
        }
    }
}
