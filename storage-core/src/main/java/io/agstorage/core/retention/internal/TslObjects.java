package io.agstorage.core.retention.internal;

import io.agstorage.core.retention.RollupDefinition;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TSL tier's native objects: compression settings, retention and compression policies, continuous aggregates
 * with refresh policies. Every {@code ensure*} is idempotent: it reads the existing job, leaves it alone when its
 * configuration matches, and replaces it (remove + add) when an interval changed, so a restart never duplicates a
 * policy. Each statement runs on its own (autocommit): the WASM server has one shared session.
 */
public final class TslObjects {

    private static final Logger log = LoggerFactory.getLogger(TslObjects.class);

    private static final String FIND_JOB = "SELECT job_id, %s FROM timescaledb_information.jobs "
            + "WHERE hypertable_schema = ? AND hypertable_name = ? AND proc_name = ? ORDER BY job_id";

    private final DataSource dataSource;
    private final String schema;
    private final String quotedSchema;

    public TslObjects(DataSource dataSource, String schema, String quotedSchema) {
        this.dataSource = dataSource;
        this.schema = schema;
        this.quotedSchema = quotedSchema;
    }

    /**
     * Enables native compression on {@code table}, segmented by {@code segmentBy}, newest first; no-op when enabled.
     */
    public boolean enableCompression(String table, String segmentBy, String timeColumn) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT compression_enabled FROM timescaledb_information.hypertables "
                            + "WHERE hypertable_schema = ? AND hypertable_name = ?")) {
                ps.setString(1, schema);
                ps.setString(2, table);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || rs.getBoolean(1)) {
                        return false;
                    }
                }
            }
            try (Statement st = c.createStatement()) {
                st.execute("ALTER TABLE " + quotedSchema + "." + table
                        + " SET (timescaledb.compress, timescaledb.compress_segmentby = '" + segmentBy
                        + "', timescaledb.compress_orderby = '" + timeColumn + " DESC')");
            }
            log.info(
                    "Enabled compression on {}.{} (segment by {}, order by {} DESC)",
                    schema,
                    table,
                    segmentBy,
                    timeColumn);
            return true;
        }
    }

    /** The retention policy of {@code table}: drop chunks older than {@code days}. Returns its job id. */
    public int ensureRetentionPolicy(String table, int days) throws SQLException {
        return ensurePolicy(
                table,
                "policy_retention",
                "(config->>'drop_after')::interval = make_interval(days => ?)",
                ps -> ps.setInt(1, days),
                "SELECT remove_retention_policy(?::regclass)",
                "SELECT add_retention_policy(?::regclass, drop_after => make_interval(days => ?))",
                ps -> ps.setInt(2, days),
                "drop_after " + days + " days");
    }

    /** The compression policy of {@code table}: compress chunks older than {@code days}. Returns its job id. */
    public int ensureCompressionPolicy(String table, int days) throws SQLException {
        return ensurePolicy(
                table,
                "policy_compression",
                "(config->>'compress_after')::interval = make_interval(days => ?)",
                ps -> ps.setInt(1, days),
                "SELECT remove_compression_policy(?::regclass)",
                "SELECT add_compression_policy(?::regclass, compress_after => make_interval(days => ?))",
                ps -> ps.setInt(2, days),
                "compress_after " + days + " days");
    }

    /**
     * Creates the continuous aggregate (real-time, fully materialized once at creation) when missing and makes its
     * refresh policy cover {@code lateWindow}. Returns the refresh job id.
     */
    public int ensureContinuousAggregate(RollupDefinition rollup, Duration lateWindow) throws SQLException {
        String qualified = quotedSchema + "." + rollup.name();
        boolean created = false;
        try (Connection c = dataSource.getConnection();
                Statement st = c.createStatement()) {
            if (!exists(c, rollup.name())) {
                st.execute("CREATE MATERIALIZED VIEW " + qualified
                        + " WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS "
                        + rollup.select(quotedSchema, false) + " WITH NO DATA");
                created = true;
                log.info(
                        "Created continuous aggregate {}.{} ({} buckets over {})",
                        schema,
                        rollup.name(),
                        rollup.grain(),
                        rollup.source());
            }
        }
        long grainSec = rollup.grain().toSeconds();
        long endOffset = grainSec;
        long startOffset = Math.max(lateWindow.toSeconds(), 2 * grainSec) + grainSec;
        int job = ensurePolicy(
                rollup.name(),
                "policy_refresh_continuous_aggregate",
                "(config->>'start_offset')::interval = justify_hours(make_interval(secs => ?)) AND "
                        + "(config->>'end_offset')::interval = justify_hours(make_interval(secs => ?))",
                ps -> {
                    ps.setLong(1, startOffset);
                    ps.setLong(2, endOffset);
                },
                "SELECT remove_continuous_aggregate_policy(?::regclass)",
                "SELECT add_continuous_aggregate_policy(?::regclass, start_offset => "
                        + "justify_hours(make_interval(secs => ?)), "
                        + "end_offset => justify_hours(make_interval(secs => ?)), schedule_interval => "
                        + "justify_hours(make_interval(secs => ?)))",
                ps -> {
                    ps.setLong(2, startOffset);
                    ps.setLong(3, endOffset);
                    ps.setLong(4, Math.min(grainSec, 3_600));
                },
                "start_offset " + Duration.ofSeconds(startOffset) + ", end_offset " + Duration.ofSeconds(endOffset));
        if (created) {
            refreshAll(rollup);
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("INSERT INTO " + quotedSchema
                        + ".rollup_watermarks (rollup, watermark) VALUES (?, 'infinity') ON CONFLICT "
                        + "(rollup) DO NOTHING")) {
            ps.setString(1, rollup.name());
            ps.executeUpdate();
        }
        return job;
    }

    /** Materializes every bucket up to the current one (the one-off full refresh after creation or a back-fill). */
    public void refreshAll(RollupDefinition rollup) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("CALL refresh_continuous_aggregate(?::regclass, NULL, time_bucket("
                                + rollup.grainLiteral() + ", now()))")) {
            ps.setString(1, quotedSchema + "." + rollup.name());
            ps.execute();
        }
    }

    /** Whether a relation named {@code name} exists in the schema. */
    public boolean exists(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, quotedSchema + "." + name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Runs a policy job now ({@code CALL run_job}): the WASM server has no background workers. */
    public void runJob(int jobId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("CALL run_job(?)")) {
            ps.setInt(1, jobId);
            ps.execute();
        }
    }

    /** The ids of the policy jobs of {@code relation} named {@code procName}. */
    public List<Integer> jobs(String relation, String procName) throws SQLException {
        List<Integer> ids = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(String.format(FIND_JOB, "true"))) {
            ps.setString(1, schema);
            ps.setString(2, relation);
            ps.setString(3, procName);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getInt(1));
                }
            }
        }
        return ids;
    }

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private int ensurePolicy(
            String relation,
            String procName,
            String matches,
            Binder bindMatch,
            String removeSql,
            String addSql,
            Binder bindAdd,
            String describe)
            throws SQLException {
        String regclass = quotedSchema + "." + relation;
        try (Connection c = dataSource.getConnection()) {
            List<Integer> jobs = new ArrayList<>();
            @Nullable Integer matching = null;
            try (PreparedStatement ps = c.prepareStatement(String.format(FIND_JOB, matches))) {
                bindMatch.bind(ps);
                ps.setString(countParams(matches) + 1, schema);
                ps.setString(countParams(matches) + 2, relation);
                ps.setString(countParams(matches) + 3, procName);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        jobs.add(rs.getInt(1));
                        if (rs.getBoolean(2)) {
                            matching = rs.getInt(1);
                        }
                    }
                }
            }
            if (jobs.size() == 1 && matching != null) {
                return matching;
            }
            if (!jobs.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement(removeSql)) {
                    ps.setString(1, regclass);
                    ps.execute();
                }
            }
            try (PreparedStatement ps = c.prepareStatement(addSql)) {
                ps.setString(1, regclass);
                bindAdd.bind(ps);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    int job = rs.getInt(1);
                    log.info(
                            "{} {} policy on {}.{} ({}): job {}",
                            jobs.isEmpty() ? "Added" : "Replaced",
                            procName,
                            schema,
                            relation,
                            describe,
                            job);
                    return job;
                }
            }
        }
    }

    private static int countParams(String sql) {
        return (int) sql.chars().filter(ch -> ch == '?').count();
    }

    @Override
    public String toString() {
        return "TslObjects[" + Objects.toString(schema) + "]";
    }
}
