package io.agstorage.core.internal;

import io.agstorage.core.TimeBounds;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The rules every stored metric name, label and value follows. Each check returns null when the input is
 * fine, else a message naming the field, the rule and the value (long values shortened).
 */
public final class PointRules {

    public static final int MAX_NAME_LENGTH = 1_024;
    public static final int MAX_LABELS = 128;
    public static final int MAX_LABEL_KEY_LENGTH = 256;
    public static final int MAX_LABEL_VALUE_LENGTH = 4_096;
    /** {@link TimeBounds#MIN_EPOCH_MICROS}. */
    public static final long MIN_EPOCH_MICROS = TimeBounds.MIN_EPOCH_MICROS;
    /** {@link TimeBounds#MAX_EPOCH_MICROS}. */
    public static final long MAX_EPOCH_MICROS = TimeBounds.MAX_EPOCH_MICROS;

    private PointRules() {}

    public static @Nullable String checkName(String name) {
        if (name.isEmpty()) {
            return "name must not be empty";
        }
        if (name.length() > MAX_NAME_LENGTH) {
            return "name must be at most " + MAX_NAME_LENGTH + " characters, was " + name.length() + " characters ('"
                    + shorten(name) + "')";
        }
        if (name.indexOf('\0') >= 0) {
            return "name must not contain NUL characters, was '" + shorten(name) + "'";
        }
        return null;
    }

    public static @Nullable String checkLabels(Map<String, String> labels) {
        if (labels.size() > MAX_LABELS) {
            return "labels must have at most " + MAX_LABELS + " entries, was " + labels.size();
        }
        for (Map.Entry<String, String> e : labels.entrySet()) {
            String key = e.getKey();
            String value = e.getValue();
            if (key.isEmpty()) {
                return "label key must not be empty";
            }
            if (key.length() > MAX_LABEL_KEY_LENGTH) {
                return "label key must be at most " + MAX_LABEL_KEY_LENGTH + " characters, was " + key.length()
                        + " characters ('" + shorten(key) + "')";
            }
            if (value.length() > MAX_LABEL_VALUE_LENGTH) {
                return "label value of '" + shorten(key) + "' must be at most " + MAX_LABEL_VALUE_LENGTH
                        + " characters, was " + value.length() + " characters";
            }
            if (key.indexOf('\0') >= 0 || value.indexOf('\0') >= 0) {
                return "label '" + shorten(key) + "' must not contain NUL characters";
            }
        }
        return null;
    }

    public static @Nullable String checkValue(double value) {
        return Double.isFinite(value) ? null : "value must be finite, was " + value;
    }

    public static @Nullable String checkTime(long epochMicros) {
        if (!TimeBounds.contains(epochMicros)) {
            return "time must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z, was "
                    + Time.format(epochMicros);
        }
        return null;
    }

    /** Whether a sample can be stored as is: a finite value at a time in the storable range (the no-throw paths). */
    public static boolean isStorable(double value, long epochMicros) {
        return Double.isFinite(value) && TimeBounds.contains(epochMicros);
    }

    /** Micros since the epoch, saturating far outside the storable range so that {@link #checkTime} refuses it. */
    public static long toEpochMicros(Instant time) {
        long seconds = time.getEpochSecond();
        if (seconds > MAX_EPOCH_MICROS / 1_000_000 + 1 || seconds < -MAX_EPOCH_MICROS / 1_000_000) {
            return seconds > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        return seconds * 1_000_000L + time.getNano() / 1_000;
    }

    static String shorten(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }
}
