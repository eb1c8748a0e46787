package io.agstorage.core.retention.internal;

import io.agstorage.core.retention.PrunedTable;
import io.agstorage.core.retention.RetainedTable;
import io.agstorage.core.retention.RetentionContributor;
import io.agstorage.core.retention.RetentionSetting;
import io.agstorage.core.retention.RollupDefinition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * Everything the contributors hand to retention, merged and checked once: storage-core's
 * {@link MetricsRetention} first, then the contributors found by {@link ServiceLoader}, then those added by hand
 * (a contributor class seen twice counts once). A relation named by two contributors is refused.
 */
public final class RetentionPlan {

    private final List<RetentionContributor> contributors;
    private final List<RetainedTable> hypertables = new ArrayList<>();
    private final List<RollupDefinition> rollups = new ArrayList<>();
    private final List<PrunedTable> pruned = new ArrayList<>();
    private final List<String> relations = new ArrayList<>();

    private RetentionPlan(List<RetentionContributor> contributors) {
        this.contributors = List.copyOf(contributors);
        Map<String, String> owners = new HashMap<>();
        for (RetentionContributor c : this.contributors) {
            List<String> tables = new ArrayList<>(c.regularTables());
            for (RetainedTable t : c.hypertables()) {
                tables.add(t.name());
                hypertables.add(t);
            }
            for (String table : tables) {
                claim(owners, table, c);
                relations.add(table);
            }
            pruned.addAll(c.prunedTables());
        }
        for (RetentionContributor c : this.contributors) {
            for (RollupDefinition r : c.rollups()) {
                claim(owners, r.name(), c);
                rollups.add(r);
                relations.add(r.name());
            }
        }
    }

    private static void claim(Map<String, String> owners, String relation, RetentionContributor c) {
        String previous = owners.putIfAbsent(relation, c.name());
        if (previous != null) {
            throw new IllegalArgumentException("retention: relation '" + relation + "' is contributed twice, by '"
                    + previous + "' and by '" + c.name() + "'");
        }
    }

    /** Storage-core's contribution, the discovered ones, then {@code added}. */
    public static RetentionPlan load(List<RetentionContributor> added) {
        List<RetentionContributor> all = new ArrayList<>();
        all.add(new MetricsRetention());
        // the context loader, as ServiceLoader.load(Class) does: in an application server it sees the application
        ServiceLoader.load(RetentionContributor.class).forEach(all::add);
        all.addAll(added);
        return of(all);
    }

    /** Exactly {@code contributors}, in order, minus repeated classes. */
    public static RetentionPlan of(List<RetentionContributor> contributors) {
        Map<Class<?>, RetentionContributor> byClass = new LinkedHashMap<>();
        for (RetentionContributor c : contributors) {
            byClass.putIfAbsent(Objects.requireNonNull(c, "contributor").getClass(), c);
        }
        return new RetentionPlan(new ArrayList<>(byClass.values()));
    }

    public List<RetentionContributor> contributors() {
        return contributors;
    }

    /** Every contributed hypertable, in contributor order. */
    public List<RetainedTable> hypertables() {
        return List.copyOf(hypertables);
    }

    /** The names of every contributed hypertable, in contributor order. */
    public List<String> hypertableNames() {
        return hypertables.stream().map(RetainedTable::name).toList();
    }

    /** Every contributed regular table whose old rows are deleted, in contributor order. */
    public List<PrunedTable> prunedTables() {
        return List.copyOf(pruned);
    }

    /** Every contributed rollup, in contributor order. */
    public List<RollupDefinition> rollups() {
        return List.copyOf(rollups);
    }

    /** The names of every contributed rollup. */
    public List<String> rollupNames() {
        return rollups.stream().map(RollupDefinition::name).toList();
    }

    /** Every relation, in report order: each contributor's tables (regular ones first), then every rollup. */
    public List<String> relations() {
        return List.copyOf(relations);
    }

    /** The hypertables to compress natively (TSL tier). */
    public List<RetainedTable> compressed() {
        return hypertables.stream().filter(t -> t.compression() != null).toList();
    }

    /** {@code retention.metrics_retention_days=90, ...}: the days by configuration key, for logs. */
    public static String describe(Map<RetentionSetting, Integer> days) {
        return days.entrySet().stream()
                .map(e -> e.getKey().key() + "=" + e.getValue())
                .collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return "RetentionPlan"
                + contributors.stream().map(RetentionContributor::name).toList();
    }
}
