package io.agstorage.cli;

import io.agstorage.core.StorageEngine;
import java.io.IOException;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code ag-storage export fills|orders|metrics --from --to --format csv}: rows of a time range as CSV with a header,
 * streamed from the server with {@code COPY (SELECT …) TO STDOUT}, so nothing is held in memory.
 */
@Command(
        name = "export",
        description = "Stream fills, orders or metrics of [from, to) to stdout as CSV (COPY … TO STDOUT).")
final class ExportCommand implements Callable<Integer> {

    /** What can be exported, and the query of each over the time range and the optional metric name. */
    enum What {
        fills("SELECT * FROM %s.fills WHERE venue_trade_time >= %s AND venue_trade_time < %s"
                + " ORDER BY venue_trade_time, venue, venue_trade_id"),
        orders("SELECT * FROM %s.orders WHERE created_at >= %s AND created_at < %s ORDER BY created_at, id"),
        metrics("SELECT \"timestamp\", metric_name, value, labels FROM %s.metrics"
                + " WHERE \"timestamp\" >= %s AND \"timestamp\" < %s"
                + " AND (current_setting('ag_storage.export_metric') = ''"
                + " OR metric_name = current_setting('ag_storage.export_metric'))"
                + " ORDER BY \"timestamp\", metric_name");

        private final String query;

        What(String query) {
            this.query = query;
        }
    }

    /** Output formats. */
    enum Format {
        csv
    }

    // COPY takes no bind parameters: the values travel as transaction-local settings, set with bound parameters, and
    // the query reads them back with current_setting(). No value is ever spliced into SQL text.
    private static final String FROM = "current_setting('ag_storage.export_from')::timestamptz";
    private static final String TO = "current_setting('ag_storage.export_to')::timestamptz";
    private static final String SET = "SELECT set_config('ag_storage.export_from', ?, true), "
            + "set_config('ag_storage.export_to', ?, true), set_config('ag_storage.export_metric', ?, true)";

    @ParentCommand
    AgStorageCli cli;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "WHAT", description = "fills, orders or metrics")
    What what;

    @Mixin
    TimeRange range;

    @Option(names = "--format", defaultValue = "csv", description = "output format: ${COMPLETION-CANDIDATES}")
    Format format;

    @Option(names = "--metric", paramLabel = "NAME", description = "metrics only: one metric name")
    @Nullable
    String metric;

    @Override
    public Integer call() throws SQLException, IOException {
        range.requireOrdered();
        Instant from = range.from;
        Instant to = range.to;
        if (metric != null && what != What.metrics) {
            throw new IllegalArgumentException("--metric applies to 'export metrics' only, was given for " + what);
        }
        try (StorageEngine engine = cli.engine(false);
                Connection c = engine.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement set = c.prepareStatement(SET)) {
                set.setString(1, from.toString());
                set.setString(2, to.toString());
                set.setString(3, metric == null ? "" : metric);
                set.execute();
            }
            String select = String.format(what.query, engine.quotedSchema(), FROM, TO);
            PrintWriter out = spec.commandLine().getOut();
            long rows = c.unwrap(PGConnection.class)
                    .getCopyAPI()
                    .copyOut("COPY (" + select + ") TO STDOUT WITH (FORMAT csv, HEADER true)", out);
            out.flush();
            c.commit();
            spec.commandLine().getErr().printf("exported %d %s%n", rows, what);
            return 0;
        }
    }
}
