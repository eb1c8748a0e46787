package io.agstorage.core.internal;

import io.agstorage.core.MetricType;
import io.agstorage.core.json.LabelsJson;
import java.util.Map;
import java.util.SortedMap;
import org.jspecify.annotations.Nullable;

/**
 * One interned series (metric + sorted labels) and its database id, once the writer has resolved it.
 * Created once per series per JVM by {@link SeriesRegistry}; events carry this reference, never strings.
 */
public final class SeriesRef {

    /**
     * How long a resolved id is used before the writer resolves it again (which also marks the series as in use:
     * {@code series.seen_at}, see {@code sql/V011__series_seen_at.sql}), so that retention, which deletes series
     * unused for {@code retention.series_grace_hours}, never deletes one this JVM still writes.
     */
    public static final long REFRESH_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(15);

    private final String metric;
    private final SortedMap<String, String> labels;
    private final String labelsJson;
    private final MetricType type;
    private final @Nullable String unit;
    private final @Nullable String temporality;
    private final boolean newToEngine;
    private final @Nullable SeriesBudget budget;
    private volatile long id;
    private volatile long resolvedAtNanos;

    SeriesRef(
            String metric,
            SortedMap<String, String> labels,
            MetricType type,
            @Nullable String unit,
            @Nullable String temporality,
            boolean newToEngine,
            @Nullable SeriesBudget budget) {
        this.metric = metric;
        this.newToEngine = newToEngine;
        this.budget = budget;
        this.labels = labels;
        this.labelsJson = LabelsJson.write(labels);
        this.type = type;
        this.unit = unit;
        this.temporality = temporality;
    }

    public String metric() {
        return metric;
    }

    public SortedMap<String, String> labels() {
        return labels;
    }

    public String labelsJson() {
        return labelsJson;
    }

    public MetricType type() {
        return type;
    }

    public @Nullable String unit() {
        return unit;
    }

    public @Nullable String temporality() {
        return temporality;
    }

    /**
     * Whether the series was new to this engine when interned (not in the schema when the engine started, not met
     * since), so most likely missing from the database: the writer creates it without looking it up first.
     */
    public boolean newToEngine() {
        return newToEngine;
    }

    /** The database id, or 0 until the writer has resolved it. */
    public long id() {
        return id;
    }

    /** Records the database id, resolved now. */
    public void resolved(long id) {
        resolved(id, System.nanoTime());
    }

    /**
     * Records the database id, resolved at {@code atNanos} ({@link System#nanoTime()}); the engine's {@link
     * SeriesBudget} remembers it too, so that it outlives this reference's eviction from the registry.
     */
    public void resolved(long id, long atNanos) {
        restored(id, atNanos);
        if (budget != null) {
            budget.rememberId(this, id, atNanos);
        }
    }

    /** Records an id the budget remembered for this series ({@link #resolved}, without telling the budget again). */
    void restored(long id, long atNanos) {
        this.resolvedAtNanos = atNanos;
        this.id = id;
    }

    /**
     * Whether the writer must resolve this series before writing it at {@code nowNanos}: it has no id yet, or its id
     * was resolved more than {@link #REFRESH_NANOS} ago (the id stays usable meanwhile, by other threads too).
     */
    public boolean needsResolve(long nowNanos) {
        return id == 0 || nowNanos - resolvedAtNanos > REFRESH_NANOS;
    }

    @Override
    public String toString() {
        return metric + labelsString(labels);
    }

    static String labelsString(Map<String, String> labels) {
        return labels.isEmpty() ? "" : labels.toString();
    }
}
