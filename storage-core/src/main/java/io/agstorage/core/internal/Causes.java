package io.agstorage.core.internal;

/** The innermost cause of a failure, for messages that must say what actually went wrong. */
public final class Causes {

    private Causes() {}

    /** The message of the deepest cause, or its class name when it has none. */
    public static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }
}
