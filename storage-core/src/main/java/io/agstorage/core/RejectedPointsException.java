package io.agstorage.core;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Some points of a write were invalid. They were not written; every valid point of the same call was
 * written and committed before this was thrown. Each {@link Rejection} names the point, field, rule and value.
 */
public final class RejectedPointsException extends IllegalArgumentException {

    /** One refused point: its index in the call, and why. */
    public record Rejection(int index, String reason) {
        @Override
        public String toString() {
            return "points[" + index + "]: " + reason;
        }
    }

    private final transient List<Rejection> rejections;
    private final int written;

    public RejectedPointsException(List<Rejection> rejections, int written) {
        super(message(rejections, written));
        this.rejections = List.copyOf(rejections);
        this.written = written;
    }

    private static String message(List<Rejection> rejections, int written) {
        String shown = rejections.stream().limit(10).map(Rejection::toString).collect(Collectors.joining("; "));
        String more = rejections.size() > 10 ? "; and " + (rejections.size() - 10) + " more" : "";
        return rejections.size() + " of " + (rejections.size() + written) + " points rejected, the other " + written
                + " were written: " + shown + more;
    }

    public List<Rejection> rejections() {
        return rejections;
    }

    /** How many points of the same call were written and committed. */
    public int written() {
        return written;
    }
}
