package io.agstorage.core.json;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Map;

/**
 * The JSON form of a label set, as stored in {@code series.labels}: a flat object of strings, escaped per RFC 8259
 * so that any label text round-trips. Every module that writes or reads label JSON goes through here, so all of
 * them produce the same text for the same labels.
 */
public final class LabelsJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {};

    private LabelsJson() {}

    /**
     * A flat JSON object of strings ({@code series.labels}) as a map.
     *
     * @throws IllegalStateException when it is not one
     */
    public static Map<String, String> parse(String json) {
        try {
            return MAPPER.readValue(json, LABELS);
        } catch (IOException e) {
            throw new IllegalStateException("series.labels is not a flat JSON object of strings: " + json, e);
        }
    }

    /** The labels as a flat JSON object, keys in the map's iteration order. */
    public static String write(Map<String, String> map) {
        StringBuilder sb = new StringBuilder(2 + map.size() * 24).append('{');
        boolean first = true;
        for (Map.Entry<String, String> e : map.entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            appendString(sb, e.getKey()).append(':');
            appendString(sb, e.getValue());
        }
        return sb.append('}').toString();
    }

    /** Appends {@code s} as a JSON string literal. */
    public static StringBuilder appendString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"');
    }
}
