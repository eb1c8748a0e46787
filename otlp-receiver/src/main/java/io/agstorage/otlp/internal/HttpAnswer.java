package io.agstorage.otlp.internal;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP answer of the receiver's Netty server.
 *
 * @param status the status code
 * @param contentType the Content-Type, or null without a body
 * @param headers further headers (Retry-After, Allow, WWW-Authenticate)
 * @param body the body, possibly empty
 */
public record HttpAnswer(int status, @Nullable String contentType, Map<String, String> headers, byte[] body) {

    /** A plain-text answer. */
    public static HttpAnswer text(int status, String text) {
        return new HttpAnswer(
                status, "text/plain; charset=utf-8", Map.of(), text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
