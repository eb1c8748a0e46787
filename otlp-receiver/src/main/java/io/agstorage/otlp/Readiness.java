package io.agstorage.otlp;

import java.util.Objects;

/**
 * Whether an {@link OtlpReceiver} can take requests now ({@link OtlpReceiver#readiness()}): ready, or not with a short
 * reason an operator can act on ({@code database unreachable (no connection within 5000 ms)}, {@code ingestion buffer
 * full (131072 of 131072 entries waiting)}, {@code spool full (12 MiB free on its disk, needs 64 MiB)}, several joined
 * with {@code "; "}). Never carries database text.
 *
 * @param ready true when the receiver is started, the database answered its last check, and the ingestion buffer and
 *     the spool have room
 * @param reason {@code "ready"}, or why not
 */
public record Readiness(boolean ready, String reason) {

    /** Ready. */
    public static final Readiness READY = new Readiness(true, "ready");

    public Readiness {
        Objects.requireNonNull(reason, "reason");
    }
}
