package io.agstorage.execution.internal;

import io.agstorage.core.TimeBounds;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The input rules of the execution model. Every failure is an {@link IllegalArgumentException} whose message
 * names the field, the rule and the value, e.g. {@code fill.size must be > 0, was 0}.
 */
public final class Validation {

    /** Identifiers (venue, market, order and trade ids, currencies): at most this many characters. */
    public static final int MAX_ID_LENGTH = 256;
    /** Free text (a status change's reason): at most this many characters. */
    public static final int MAX_TEXT_LENGTH = 4_096;
    /** Decimal places kept exactly; more is refused rather than rounded. */
    public static final int MAX_SCALE = 18;
    /** Digits before the decimal point. */
    public static final int MAX_INTEGER_DIGITS = 24;

    private Validation() {}

    /** A required identifier: set, not blank, at most {@link #MAX_ID_LENGTH} characters, no NUL. */
    public static String id(String field, @Nullable String value) {
        if (value == null) {
            throw missing(field);
        }
        if (value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank, was '" + value + "'");
        }
        return text(field, value, MAX_ID_LENGTH);
    }

    /** An optional identifier: null, or as {@link #id}. */
    public static @Nullable String optionalId(String field, @Nullable String value) {
        return value == null ? null : id(field, value);
    }

    /** Text of at most {@code max} characters without NUL (PostgreSQL text cannot hold it); null passes. */
    public static @Nullable String optionalText(String field, @Nullable String value, int max) {
        return value == null ? null : text(field, value, max);
    }

    private static String text(String field, String value, int max) {
        if (value.length() > max) {
            throw new IllegalArgumentException(field + " must be at most " + max + " characters, was " + value.length()
                    + " characters ('" + abbreviate(value) + "')");
        }
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(
                    field + " must not contain the NUL character, was '" + abbreviate(value.replace('\0', '?')) + "'");
        }
        return value;
    }

    /** The most tags a record carries. */
    public static final int MAX_TAGS = 64;

    /**
     * Free-form tags: each as {@link #id} (1 to {@link #MAX_ID_LENGTH} characters, no NUL), at most {@link #MAX_TAGS};
     * null is no tag. Returned as an unmodifiable set in natural order, duplicates gone.
     */
    public static SortedSet<String> tags(String field, @Nullable Collection<String> tags) {
        if (tags == null || tags.isEmpty()) {
            return EMPTY_TAGS;
        }
        TreeSet<String> set = new TreeSet<>();
        for (String tag : tags) {
            set.add(id(field, tag));
        }
        if (set.size() > MAX_TAGS) {
            throw new IllegalArgumentException(
                    field + " must hold at most " + MAX_TAGS + " tags, was " + set.size() + " tags");
        }
        return Collections.unmodifiableSortedSet(set);
    }

    private static final SortedSet<String> EMPTY_TAGS = Collections.unmodifiableSortedSet(new TreeSet<>());

    /** A setting within {@code min..max}, e.g. {@code batchSize must be within 1..1000000, was 0}. */
    public static int within(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " must be within " + min + ".." + max + ", was " + value);
        }
        return value;
    }

    public static <T> T required(String field, @Nullable T value) {
        if (value == null) {
            throw missing(field);
        }
        return value;
    }

    /** A size or price: set, {@code > 0}, representable. */
    public static BigDecimal positive(String field, @Nullable BigDecimal value) {
        decimal(field, required(field, value));
        if (value.signum() <= 0) {
            throw new IllegalArgumentException(field + " must be > 0, was " + value.toPlainString());
        }
        return value;
    }

    /** An optional non-negative amount. */
    public static @Nullable BigDecimal optionalNonNegative(String field, @Nullable BigDecimal value) {
        if (value == null) {
            return null;
        }
        decimal(field, value);
        if (value.signum() < 0) {
            throw new IllegalArgumentException(field + " must be >= 0, was " + value.toPlainString());
        }
        return value;
    }

    /** A signed amount (fees, PnL, a position's size): set and representable. */
    public static BigDecimal signed(String field, @Nullable BigDecimal value) {
        return decimal(field, required(field, value));
    }

    private static BigDecimal decimal(String field, BigDecimal value) {
        if (value.scale() > MAX_SCALE) {
            BigDecimal stripped = value.stripTrailingZeros();
            if (stripped.scale() > MAX_SCALE) {
                throw new IllegalArgumentException(
                        field + " must have at most " + MAX_SCALE + " decimal places, was " + value);
            }
        }
        if (value.precision() - value.scale() > MAX_INTEGER_DIGITS) {
            throw new IllegalArgumentException(field + " must have at most " + MAX_INTEGER_DIGITS
                    + " digits before the decimal point, was " + value);
        }
        return value;
    }

    /** A time within 1970-01-01 .. 9999-12-31, truncated to microseconds (the database's precision). */
    public static Instant time(String field, @Nullable Instant value) {
        required(field, value);
        if (!TimeBounds.contains(value)) {
            throw new IllegalArgumentException(
                    field + " must be within 1970-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999Z, was " + value);
        }
        return value.truncatedTo(ChronoUnit.MICROS);
    }

    public static @Nullable Instant optionalTime(String field, @Nullable Instant value) {
        return value == null ? null : time(field, value);
    }

    /** The current time at microsecond precision. */
    public static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    /** The first 64 characters of a value, for error messages. */
    public static String abbreviate(String value) {
        return value.length() <= 64 ? value : value.substring(0, 64) + "...";
    }

    private static IllegalArgumentException missing(String field) {
        return new IllegalArgumentException(field + " must be set, was null");
    }
}
