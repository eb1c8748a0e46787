package io.agstorage.cli;

import io.agstorage.core.StorageEngine;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code ag-storage migrate}: applies pending schema migrations (under the same advisory lock as the library). */
@Command(name = "migrate", description = "Apply pending schema migrations and list the applied ones.")
final class MigrateCommand implements Callable<Integer> {

    @ParentCommand
    AgStorageCli cli;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws SQLException {
        try (StorageEngine engine = cli.engine(true)) {
            var out = spec.commandLine().getOut();
            var migrations = SchemaInfo.migrations(engine);
            migrations.forEach(m -> out.printf("  V%03d %s%n", m.version(), m.description()));
            out.printf(
                    "schema %s: %d migrations applied, latest V%03d%n",
                    engine.config().schema(),
                    migrations.size(),
                    migrations.isEmpty()
                            ? 0
                            : migrations.get(migrations.size() - 1).version());
            return 0;
        }
    }
}
