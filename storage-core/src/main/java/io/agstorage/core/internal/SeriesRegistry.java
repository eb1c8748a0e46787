package io.agstorage.core.internal;

import io.agstorage.core.MetricType;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Interns series by metric + labels, so each is described, validated, encoded and resolved once per JVM. Only
 * series whose name and labels passed {@link PointRules} are interned, so a series found here needs no new check.
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

    private final ConcurrentHashMap<Key, SeriesRef> series = new ConcurrentHashMap<>();

    /** The interned series for this metric and naturally sorted labels, or null when not interned yet. */
    public @Nullable SeriesRef find(String metric, SortedMap<String, String> labels) {
        return labels.comparator() == null ? series.get(new Key(metric, labels)) : null;
    }

    /**
     * The interned series for this metric and labels, created with the given type, unit and temporality
     * if new; the first registration of a series decides those. The caller has checked name and labels.
     */
    public SeriesRef intern(
            String metric,
            Map<String, String> labels,
            MetricType type,
            @Nullable String unit,
            @Nullable String temporality) {
        SortedMap<String, String> sorted =
                labels instanceof SortedMap<String, String> s && s.comparator() == null ? s : new TreeMap<>(labels);
        SeriesRef ref = series.get(new Key(metric, sorted));
        if (ref != null) {
            return ref;
        }
        SortedMap<String, String> frozen = Collections.unmodifiableSortedMap(new TreeMap<>(sorted));
        return series.computeIfAbsent(
                new Key(metric, frozen),
                k -> new SeriesRef(metric, frozen, Objects.requireNonNull(type, "type"), unit, temporality));
    }

    public int size() {
        return series.size();
    }
}
