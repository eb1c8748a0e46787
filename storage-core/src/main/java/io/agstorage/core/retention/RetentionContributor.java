package io.agstorage.core.retention;

import java.util.List;

/**
 * What one module keeps in the engine's schema, for {@link RetentionManager}: its hypertables (each naming the
 * {@link RetentionSetting} that decides how long its rows are kept), its regular tables (never dropped, only
 * reported by {@link RetentionManager#getStorageStats()}) and its {@link RollupDefinition rollups}.
 *
 * <p>Storage-core contributes {@code series}, {@code samples}, {@code histograms} and the metric rollups itself;
 * another module registers an implementation with {@link java.util.ServiceLoader}, listing it in
 * {@code META-INF/services/io.agstorage.core.retention.RetentionContributor}, so that having the module on the
 * class path is enough. {@link RetentionManager.Builder#addContributor(RetentionContributor)} adds one by hand (e.g.
 * where service files are not merged into a shaded jar).
 *
 * <p>An implementation needs a public no-argument constructor, returns constants (table names and SQL fragments of
 * its own code, never user input) and touches no database: the manager checks which tables exist. It carries no
 * numbers: days, the compression age and the late-data window come from the engine's configuration. A table or
 * rollup name contributed twice is refused when the manager is built.
 *
 * <pre>{@code
 * public final class AuditRetention implements RetentionContributor {
 *     public String name() { return "audit"; }
 *     public List<RetainedTable> hypertables() {
 *         return List.of(RetainedTable.of("audit_events", RetentionSetting.EXECUTIONS));
 *     }
 * }
 * }</pre>
 */
public interface RetentionContributor {

    /** A short name for logs and error messages, e.g. {@code "metrics"}. */
    String name();

    /** The hypertables whose old chunks are dropped (and maybe compressed), in the order runs handle them. */
    List<RetainedTable> hypertables();

    /** Regular tables it owns: never dropped, listed by {@link RetentionManager#getStorageStats()}. None by default. */
    default List<String> regularTables() {
        return List.of();
    }

    /**
     * Regular tables whose old rows each run deletes (e.g. finished orders past the execution retention). None by
     * default. A table here may also be listed by {@link #regularTables()} (for the storage stats).
     */
    default List<PrunedTable> prunedTables() {
        return List.of();
    }

    /**
     * Its rollups: continuous aggregates on the TSL tier, incrementally refreshed tables (which the module's
     * migrations create, with a row in {@code rollup_watermarks} kept by the refresh) on the Apache edition. None by
     * default.
     */
    default List<RollupDefinition> rollups() {
        return List.of();
    }
}
