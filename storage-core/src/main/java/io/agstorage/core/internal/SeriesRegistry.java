package io.agstorage.core.internal;

import io.agstorage.core.MetricType;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/** Interns series by metric + labels, so each is described, encoded and resolved once per JVM. */
public final class SeriesRegistry {

    private record Key(String metric, SortedMap<String, String> labels) {}

    private final ConcurrentHashMap<Key, SeriesRef> series = new ConcurrentHashMap<>();

    /**
     * The interned series for this metric and labels, created with the given type, unit and temporality
     * if new; the first registration of a series decides those.
     */
    public SeriesRef intern(String metric, Map<String, String> labels, MetricType type, @Nullable String unit,
            @Nullable String temporality) {
        SortedMap<String, String> sorted = labels instanceof SortedMap<String, String> s && s.comparator() == null
                ? s : new TreeMap<>(labels);
        Key key = new Key(metric, sorted);
        SeriesRef ref = series.get(key);
        if (ref != null) {
            return ref;
        }
        SortedMap<String, String> frozen = Collections.unmodifiableSortedMap(new TreeMap<>(sorted));
        return series.computeIfAbsent(new Key(metric, frozen),
                k -> new SeriesRef(metric, frozen, Objects.requireNonNull(type, "type"), unit, temporality));
    }

    public int size() {
        return series.size();
    }

    /** Forgets every resolved id (the database was rebuilt under a running engine). */
    public void unresolveAll() {
        series.values().forEach(SeriesRef::unresolve);
    }
}
