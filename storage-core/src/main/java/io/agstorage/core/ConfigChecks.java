package io.agstorage.core;

import java.util.Objects;

/** The value rules of {@link StorageConfig.Builder}'s setters, each failing with the key, the rule and the value. */
final class ConfigChecks {

    private ConfigChecks() {}

    static String nonBlank(String key, String value) {
        Objects.requireNonNull(value, key);
        if (value.isBlank()) {
            throw invalid(key, "must not be blank", "'" + value + "'");
        }
        return value;
    }

    static String identifier(String key, String value) {
        Objects.requireNonNull(value, key);
        if (!Sql.isIdentifier(value)) {
            throw invalid(key, "must match " + Sql.IDENTIFIER_RULE, value);
        }
        return value;
    }

    static int inRange(String key, int value, int min, int max) {
        return (int) inRange(key, (long) value, min, max);
    }

    static long inRange(String key, long value, long min, long max) {
        if (value < min) {
            throw invalid(key, min == 1 ? "must be > 0" : "must be >= " + min, value);
        }
        if (value > max) {
            throw invalid(key, "must be <= " + max, value);
        }
        return value;
    }

    static IllegalArgumentException invalid(String key, String rule, Object value) {
        return new IllegalArgumentException(key + " " + rule + ", was " + value);
    }
}
