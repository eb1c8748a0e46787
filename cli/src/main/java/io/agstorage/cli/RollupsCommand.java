package io.agstorage.cli;

import io.agstorage.core.StorageEngine;
import io.agstorage.core.retention.RetentionManager;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code ag-storage rollups refresh --from --to}: rebuilds the rollups of a range, a day at a time, with progress. */
@Command(name = "rollups", description = "Rollups (hourly, daily).", subcommands = RollupsCommand.Refresh.class)
final class RollupsCommand {

    @ParentCommand
    AgStorageCli cli;

    /** {@code ag-storage rollups refresh}. */
    @Command(
            name = "refresh",
            description = "Recompute the rollups of [from, to), one day per step, with a progress bar.")
    static final class Refresh implements Callable<Integer> {

        @ParentCommand
        RollupsCommand rollups;

        @Spec
        CommandSpec spec;

        @Mixin
        TimeRange range;

        @Override
        public Integer call() {
            range.requireOrdered();
            Instant from = range.from;
            Instant to = range.to;
            try (StorageEngine engine = rollups.cli.engine(true)) {
                RetentionManager manager = RetentionManager.create(engine);
                long days = Math.max(1, (Duration.between(from, to).toHours() + 23) / 24);
                ProgressBar bar = new ProgressBar(spec.commandLine().getErr(), "rollups", days, "days");
                long rows = 0;
                int done = 0;
                for (Instant start = from; start.isBefore(to); start = start.plus(Duration.ofDays(1))) {
                    Instant end = start.plus(Duration.ofDays(1)).isBefore(to) ? start.plus(Duration.ofDays(1)) : to;
                    rows += manager.refreshRollups(start, end);
                    bar.update(++done);
                }
                bar.finish();
                PrintWriter out = spec.commandLine().getOut();
                out.printf("rollups refreshed from %s to %s: %d days, %d rollup rows written%n", from, to, done, rows);
                return 0;
            }
        }
    }
}
