package io.agstorage.cli;

import io.agstorage.core.StorageEngine;
import io.agstorage.core.retention.RetentionManager;
import io.agstorage.core.retention.RetentionReport;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code ag-storage retention run}: one retention pass now (retention, compression, rollups). */
@Command(
        name = "retention",
        description = "Retention, compression and rollups.",
        subcommands = RetentionCommand.Run.class)
final class RetentionCommand {

    @ParentCommand
    AgStorageCli cli;

    /** {@code ag-storage retention run}. */
    @Command(name = "run", description = "Run one retention pass now and print what it did.")
    static final class Run implements Callable<Integer> {

        @ParentCommand
        RetentionCommand retention;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (StorageEngine engine = retention.cli.engine(true)) {
                RetentionReport report = RetentionManager.create(engine).runRetention();
                PrintWriter out = spec.commandLine().getOut();
                out.printf(
                        "retention (%s) took %d ms%n",
                        report.tier(), report.duration().toMillis());
                for (RetentionReport.TableRetention t : report.tables()) {
                    out.printf(
                            "  %-24s keep %4d days: %d chunks dropped, %d rows%n",
                            t.table(), t.retentionDays(), t.chunksDropped(), t.rowsRemoved());
                }
                for (RetentionReport.RollupRefresh r : report.rollups()) {
                    out.printf(
                            "  rollup %-17s %s: %s rows%n",
                            r.rollup(),
                            r.method(),
                            r.rowsWritten().isPresent()
                                    ? String.valueOf(r.rowsWritten().getAsLong())
                                    : "n/a");
                }
                out.println(
                        report.compressionUnavailable() == null
                                ? "  compression: " + report.chunksCompressed() + " chunks compressed"
                                : "  compression: not available (" + report.compressionUnavailable() + ")");
                return 0;
            }
        }
    }
}
