package io.agstorage.core.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.agstorage.core.MetricType;
import io.agstorage.core.SeriesLimitException;
import io.agstorage.core.SeriesLimits;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * Interns series by metric + labels, so each is described, validated, encoded and resolved once per JVM. Only
 * series whose name and labels passed {@link PointRules} are interned, so a series found here needs no new check.
 *
 * <p>Bounded by {@code limits.max_cached_series}: the coldest series are evicted (handles and queued events keep their
 * reference). The {@link SeriesBudget} remembers every id resolved for a series, so a series met again after its
 * eviction is interned again with its id and not looked up in the database until the id is due for its refresh. A
 * series new to the budget is admitted by it first, so the limits hold for every door.
 */
public final class SeriesRegistry {

    /** Metric + sorted labels; equality walks both sorted maps side by side (no tree lookups). */
    private static final class Key {
        final String metric;
        final SortedMap<String, String> labels;
        final int hash;

        Key(String metric, SortedMap<String, String> labels) {
            this.metric = metric;
            this.labels = labels;
            this.hash = 31 * metric.hashCode() + labels.hashCode();
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Key k)
                    || hash != k.hash
                    || !metric.equals(k.metric)
                    || labels.size() != k.labels.size()) {
                return false;
            }
            if (labels == k.labels) {
                return true;
            }
            Iterator<Map.Entry<String, String>> a = labels.entrySet().iterator();
            Iterator<Map.Entry<String, String>> b = k.labels.entrySet().iterator();
            while (a.hasNext()) {
                Map.Entry<String, String> x = a.next();
                Map.Entry<String, String> y = b.next();
                if (!x.getKey().equals(y.getKey()) || !x.getValue().equals(y.getValue())) {
                    return false;
                }
            }
            return true;
        }
    }

    private final Cache<Key, SeriesRef> series;
    private final SeriesBudget budget;
    private final LongAdder evicted = new LongAdder();

    /** A registry with the default limits (for tests). */
    public SeriesRegistry() {
        this(SeriesLimits.defaults(), new SeriesBudget(SeriesLimits.defaults()));
    }

    /** A registry of at most {@code limits.max_cached_series} series, admitting new ones through {@code budget}. */
    public SeriesRegistry(SeriesLimits limits, SeriesBudget budget) {
        this.budget = budget;
        this.series = Caffeine.newBuilder()
                .maximumSize(limits.maxCachedSeries())
                .executor(Runnable::run) // evict on the caller's thread: the bound holds under any rate of new series
                .evictionListener((k, v, cause) -> evicted.increment())
                .build();
    }

    /** The interned series for this metric and naturally sorted labels, or null when not interned yet. */
    public @Nullable SeriesRef find(String metric, SortedMap<String, String> labels) {
        return labels.comparator() == null ? series.getIfPresent(new Key(metric, labels)) : null;
    }

    /**
     * The interned series for this metric and labels, created with the given type, unit and temporality
     * if new; the first registration of a series decides those. The caller has checked name and labels.
     *
     * @throws SeriesLimitException when the series is new to this engine and would break a limit
     */
    public SeriesRef intern(
            String metric,
            Map<String, String> labels,
            MetricType type,
            @Nullable String unit,
            @Nullable String temporality) {
        return intern(metric, labels, type, unit, temporality, false);
    }

    /** {@link #intern} of a series the database holds (read back by id): counted, never refused. */
    public SeriesRef internExisting(
            String metric,
            Map<String, String> labels,
            MetricType type,
            @Nullable String unit,
            @Nullable String temporality) {
        return intern(metric, labels, type, unit, temporality, true);
    }

    private SeriesRef intern(
            String metric,
            Map<String, String> labels,
            MetricType type,
            @Nullable String unit,
            @Nullable String temporality,
            boolean existing) {
        SortedMap<String, String> sorted =
                labels instanceof SortedMap<String, String> s && s.comparator() == null ? s : new TreeMap<>(labels);
        SeriesRef ref = series.getIfPresent(new Key(metric, sorted));
        if (ref != null) {
            return ref;
        }
        Objects.requireNonNull(type, "type");
        SortedMap<String, String> frozen = Collections.unmodifiableSortedMap(new TreeMap<>(sorted));
        return series.get(new Key(metric, frozen), k -> {
            long fingerprint = SeriesBudget.fingerprint(metric, frozen);
            boolean newToEngine = false;
            if (existing) {
                budget.exists(fingerprint, metric);
            } else {
                newToEngine = budget.admit(fingerprint, metric, frozen);
            }
            SeriesRef created = new SeriesRef(metric, frozen, type, unit, temporality, newToEngine, budget);
            if (!newToEngine) {
                budget.restoreId(fingerprint, created);
            }
            return created;
        });
    }

    /** Series interned in memory now (at most {@code limits.max_cached_series}, give or take a pending eviction). */
    public long size() {
        series.cleanUp();
        return series.estimatedSize();
    }

    /** Series evicted from memory so far. */
    public long evicted() {
        return evicted.sum();
    }

    /** The budget that admits new series. */
    public SeriesBudget budget() {
        return budget;
    }
}
