package io.agstorage.cli;

import java.time.Instant;
import picocli.CommandLine.Option;

/** The {@code --from} / {@code --to} options of the commands that work on a time range (a picocli mixin). */
final class TimeRange {

    @Option(
            names = "--from",
            required = true,
            converter = InstantArgument.class,
            paramLabel = "TIME",
            description = "start, inclusive: 2026-12-01 or 2026-12-01T00:00:00Z")
    Instant from;

    @Option(
            names = "--to",
            required = true,
            converter = InstantArgument.class,
            paramLabel = "TIME",
            description = "end, exclusive: 2026-12-05 or 2026-12-05T00:00:00Z")
    Instant to;

    /** Fails with a usage error unless {@code from} is before {@code to}. */
    TimeRange requireOrdered() {
        InstantArgument.requireOrdered(from, to);
        return this;
    }
}
