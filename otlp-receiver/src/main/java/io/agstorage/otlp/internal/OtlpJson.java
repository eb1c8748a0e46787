package io.agstorage.otlp.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;

/**
 * OTLP/JSON differs from the protobuf JSON mapping in one place that matters here: trace and span ids are hex
 * strings, not base64. This rewrites them to base64 before {@code JsonFormat} reads the document.
 */
final class OtlpJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String[] ID_FIELDS = {"traceId", "spanId", "trace_id", "span_id"};

    private OtlpJson() {}

    static String hexIdsToBase64(String json) {
        if (!json.contains("raceId")
                && !json.contains("panId")
                && !json.contains("race_id")
                && !json.contains("pan_id")) {
            return json;
        }
        try {
            JsonNode root = MAPPER.readTree(json);
            fix(root);
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            return json; // JsonFormat reports what is wrong with it
        }
    }

    private static void fix(JsonNode node) {
        if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            for (String field : ID_FIELDS) {
                JsonNode value = object.get(field);
                if (value != null && value.isTextual() && isHexId(value.asText())) {
                    object.put(
                            field,
                            Base64.getEncoder().encodeToString(HexFormat.of().parseHex(value.asText())));
                }
            }
            for (Iterator<JsonNode> it = object.elements(); it.hasNext(); ) {
                fix(it.next());
            }
        } else if (node.isArray()) {
            node.forEach(OtlpJson::fix);
        }
    }

    private static boolean isHexId(String s) {
        if (s.length() != 32 && s.length() != 16) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }
}
