package io.agstorage.cli;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.ITypeConverter;

/** A time on the command line: an ISO-8601 instant ({@code 2026-12-01T12:00:00Z}) or a UTC day ({@code 2026-12-01}). */
final class InstantArgument implements ITypeConverter<Instant> {

    @Override
    public Instant convert(String value) {
        try {
            return value.length() == 10
                    ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    "must be an ISO-8601 instant (2026-12-01T12:00:00Z) or a day (2026-12-01), was '" + value + "'");
        }
    }

    static void requireOrdered(Instant from, Instant to) {
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("--from must be before --to, was " + from + " .. " + to);
        }
    }
}
