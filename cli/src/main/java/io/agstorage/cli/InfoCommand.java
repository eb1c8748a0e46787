package io.agstorage.cli;

import io.agstorage.core.StorageEngine;
import io.agstorage.core.retention.RetentionManager;
import io.agstorage.core.retention.StorageStats;
import java.io.PrintWriter;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code ag-storage info}: server, tier, applied migrations, table sizes and compression. Changes nothing. */
@Command(
        name = "info",
        description = "Print the server, the TimescaleDB tier, the migrations, table sizes and compression.")
final class InfoCommand implements Callable<Integer> {

    @ParentCommand
    AgStorageCli cli;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws SQLException {
        try (StorageEngine engine = cli.engine(false)) {
            PrintWriter out = spec.commandLine().getOut();
            out.println("server:      " + SchemaInfo.serverVersion(engine));
            out.println("tier:        " + engine.capabilities().describe());
            out.println("schema:      " + engine.config().schema());
            if (!SchemaInfo.migrated(engine)) {
                out.println("migrations:  none applied (ag-storage migrate applies them)");
                return 0;
            }
            out.println("migrations:");
            for (SchemaInfo.AppliedMigration m : SchemaInfo.migrations(engine)) {
                out.printf(
                        "  V%03d %-40s applied %s (%d ms)%n",
                        m.version(), m.description(), m.appliedAt(), m.executionMs());
            }
            RetentionManager retention = RetentionManager.create(engine);
            StorageStats stats = retention.getStorageStats();
            out.println("tables:");
            out.printf("  %-28s %-10s %12s %12s %7s %11s%n", "table", "kind", "rows", "bytes", "chunks", "compressed");
            for (StorageStats.TableStats t : stats.tables()) {
                out.printf(
                        "  %-28s %-10s %12d %12s %7d %11d%n",
                        t.table(), t.kind(), t.rows(), Sizes.human(t.totalBytes()), t.chunks(), t.compressedChunks());
            }
            out.printf("  total: %d rows, %s%n", stats.totalRows(), Sizes.human(stats.totalBytes()));
            out.println("compression: " + retention.checkCompressionStatus().describe());
            return 0;
        }
    }
}
