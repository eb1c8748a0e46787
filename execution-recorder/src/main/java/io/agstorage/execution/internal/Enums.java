package io.agstorage.execution.internal;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/** Parsing of the execution enums from text, with errors that name the field and the accepted values. */
public final class Enums {

    private Enums() {}

    /**
     * The constant named {@code value}, ignoring case, surrounding blanks, and spaces or dashes for underscores
     * ({@code "partially filled"} is {@code PARTIALLY_FILLED}).
     *
     * @throws IllegalArgumentException "{@code <field> must be one of A, B, was 'x'}"
     */
    public static <E extends Enum<E>> E parse(Class<E> type, String field, @Nullable String value) {
        if (value != null) {
            String name = value.trim().replace(' ', '_').replace('-', '_').toUpperCase(Locale.ROOT);
            for (E e : type.getEnumConstants()) {
                if (e.name().equals(name)) {
                    return e;
                }
            }
        }
        String accepted = Arrays.stream(type.getEnumConstants()).map(Enum::name).collect(Collectors.joining(", "));
        throw new IllegalArgumentException(field + " must be one of " + accepted + ", was "
                + (value == null ? "null" : "'" + Validation.abbreviate(value) + "'"));
    }
}
