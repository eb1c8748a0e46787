package io.agstorage.core.retention.internal;

import io.agstorage.core.retention.RetainedTable;
import io.agstorage.core.retention.RetentionReport.RollupRefresh;
import io.agstorage.core.retention.RetentionSetting;
import io.agstorage.core.retention.RollupDefinition;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TSL tier's side of a retention plan: native compression and compression policies on the tables that
 * ask for it, a retention policy per existing hypertable, a continuous aggregate with its refresh policy per rollup
 * whose tables exist; and the job ids, so that a run can execute the policies now ({@code CALL run_job}). Not
 * thread-safe: used under the retention lock.
 */
public final class TslPolicies {

    private static final Logger log = LoggerFactory.getLogger(TslPolicies.class);

    private final TslObjects tsl;
    private final SchemaCatalog catalog;
    private final String schema;
    private final Map<String, Integer> retentionJobs = new LinkedHashMap<>();
    private final Map<String, Integer> refreshJobs = new LinkedHashMap<>();

    public TslPolicies(TslObjects tsl, SchemaCatalog catalog, String schema) {
        this.tsl = tsl;
        this.catalog = catalog;
        this.schema = schema;
    }

    public TslObjects objects() {
        return tsl;
    }

    /** Whether {@link #install} has run (it found at least one rollup to keep). */
    public boolean isInstalled() {
        return !refreshJobs.isEmpty();
    }

    /** Makes the policies and continuous aggregates match the settings; idempotent (see {@link TslObjects}). */
    public void install(
            RetentionPlan plan, Map<RetentionSetting, Integer> days, int compressionAfterDays, Duration lateWindow)
            throws SQLException {
        List<String> existing = catalog.existing(plan.hypertableNames());
        for (RetainedTable table : plan.hypertables()) {
            if (!existing.contains(table.name())) {
                continue;
            }
            RetainedTable.Compression compression = table.compression();
            if (compression != null) {
                tsl.enableCompression(table.name(), compression.segmentBy(), compression.orderBy());
                tsl.ensureCompressionPolicy(table.name(), compressionAfterDays);
            }
            retentionJobs.put(table.name(), tsl.ensureRetentionPolicy(table.name(), days.get(table.retention())));
        }
        for (RollupDefinition rollup : plan.rollups()) {
            if (catalog.existing(rollup.requires()).size() == rollup.requires().size()) {
                refreshJobs.put(rollup.name(), tsl.ensureContinuousAggregate(rollup, lateWindow));
            }
        }
        log.info(
                "Retention on schema {} (TSL): retention policies {} ({}), compression after {} days, "
                        + "continuous aggregates {}",
                schema,
                retentionJobs,
                RetentionPlan.describe(days),
                compressionAfterDays,
                refreshJobs);
    }

    /** The retention policy job of {@code table}, or null when it has none. */
    public @Nullable Integer retentionJob(String table) {
        return retentionJobs.get(table);
    }

    /** Runs every continuous aggregate's refresh policy now. */
    public List<RollupRefresh> runRefreshJobs() throws SQLException {
        List<RollupRefresh> result = new ArrayList<>();
        for (Map.Entry<String, Integer> job : refreshJobs.entrySet()) {
            long t0 = System.nanoTime();
            tsl.runJob(job.getValue());
            result.add(new RollupRefresh(
                    job.getKey(), "refresh policy", OptionalLong.empty(), Duration.ofNanos(System.nanoTime() - t0)));
        }
        return result;
    }

    @Override
    public String toString() {
        return "TslPolicies[" + schema + ", retention " + retentionJobs + ", refresh " + refreshJobs + "]";
    }
}
