package io.agstorage.core.retention.internal;

import static io.agstorage.core.retention.internal.SchemaCatalog.utc;

import io.agstorage.core.retention.RetentionReport.RollupRefresh;
import io.agstorage.core.retention.RollupDefinition;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import javax.sql.DataSource;

/**
 * Refreshes the rollups that exist: incrementally from their watermark on the Apache edition
 * ({@link ApacheRollups}), and over an explicit range on either tier (for back-filled data older than the late-data
 * window).
 */
public final class RollupRefresher {

    private final DataSource dataSource;
    private final String quotedSchema;
    private final SchemaCatalog catalog;
    private final List<RollupDefinition> rollups;
    private final boolean continuousAggregates;

    /** {@code continuousAggregates}: the TSL tier, where the rollups are continuous aggregates. */
    public RollupRefresher(
            DataSource dataSource,
            String quotedSchema,
            SchemaCatalog catalog,
            List<RollupDefinition> rollups,
            boolean continuousAggregates) {
        this.dataSource = dataSource;
        this.quotedSchema = quotedSchema;
        this.catalog = catalog;
        this.rollups = List.copyOf(rollups);
        this.continuousAggregates = continuousAggregates;
    }

    /** The names of the rollups that exist. */
    public List<String> existing() throws SQLException {
        return catalog.existing(rollups.stream().map(RollupDefinition::name).toList());
    }

    /** Apache edition: brings every rollup table up to {@code now}, re-aggregating the late window. */
    public List<RollupRefresh> refreshIncrementally(Instant now, Duration lateWindow) throws SQLException {
        List<RollupRefresh> result = new ArrayList<>();
        for (RollupDefinition rollup : rollups) {
            if (catalog.exists(rollup.name())) {
                long t0 = System.nanoTime();
                ApacheRollups.Refresh refresh =
                        new ApacheRollups(dataSource, quotedSchema, rollup).refresh(now, lateWindow);
                result.add(new RollupRefresh(
                        rollup.name(),
                        "incremental",
                        OptionalLong.of(refresh.rowsWritten()),
                        Duration.ofNanos(System.nanoTime() - t0)));
            }
        }
        return result;
    }

    /**
     * Re-aggregates every rollup over {@code [from, to)}; returns the rows written (Apache edition) or -1 (TSL tier,
     * where the continuous aggregates' refresh does not report it).
     */
    public long refresh(Instant from, Instant to) throws SQLException {
        long written = 0;
        for (RollupDefinition rollup : rollups) {
            if (!catalog.exists(rollup.name())) {
                continue;
            }
            if (continuousAggregates) {
                try (Connection c = dataSource.getConnection();
                        PreparedStatement ps = c.prepareStatement(
                                "CALL refresh_continuous_aggregate(?::regclass, ?::timestamptz, ?::timestamptz)")) {
                    ps.setString(1, quotedSchema + "." + rollup.name());
                    ps.setObject(2, utc(from));
                    ps.setObject(3, utc(to));
                    ps.execute();
                }
                written = -1;
            } else {
                written += new ApacheRollups(dataSource, quotedSchema, rollup).refresh(from, to);
            }
        }
        return written;
    }

    @Override
    public String toString() {
        return "RollupRefresher[" + quotedSchema + ", " + rollups.size() + " rollups]";
    }
}
