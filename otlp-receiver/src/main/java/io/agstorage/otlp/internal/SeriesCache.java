package io.agstorage.otlp.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.agstorage.core.MetricSeries;
import io.agstorage.otel.mapping.CumulativeState;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The series of a number point, keyed by what the OTLP request says (resource attributes, scope, metric, kind, point
 * attributes) rather than by the label map built from it: a repeated point skips building labels, checking them and
 * interning the series. Bounded; a miss simply resolves the series again. A {@link Lookup} per metric of a request
 * first tries the point at the same position in the metric's previous request ({@link Shape}), then the keyed cache.
 *
 * <p>Two levels, so that a lookup costs a few string comparisons rather than a deep comparison of protobuf messages:
 * the resource and scope of a block of metrics are interned once per block ({@link #context}), so keys compare them
 * by identity; the point attributes are flattened into key and value objects (strings, booleans, longs, doubles;
 * other values as their {@link AnyValue}). Equal keys always name the same series; the same series reached through
 * two different keys (attributes in another order, a context interned again after eviction) is merely cached twice.
 */
public final class SeriesCache {

    static final int GAUGE = 0;
    static final int MONOTONIC_SUM = 1;
    static final int SUM = 2;

    /** The resource and scope of a block of metrics, interned: compared by identity inside {@link Key}. */
    static final class Context {
        private final List<KeyValue> resource;
        private final InstrumentationScope scope;
        private final int hash;

        private Context(List<KeyValue> resource, InstrumentationScope scope) {
            this.resource = resource;
            this.scope = scope;
            this.hash = resource.hashCode() * 31 + scope.hashCode();
        }

        @Override
        public boolean equals(Object o) {
            return o == this
                    || o instanceof Context c && c.hash == hash && c.resource.equals(resource) && c.scope.equals(scope);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** One number series: interned context, metric, unit, kind and the flattened point attributes. */
    static final class Key {
        private final Context context;
        private final String metric;
        private final String unit;
        private final int kind;
        private final Object[] attributes;
        private final int hash;

        /** With the point attributes {@linkplain #flatten flattened}. */
        Key(Context context, String metric, String unit, int kind, Object[] attributes) {
            this.context = context;
            this.metric = metric;
            this.unit = unit;
            this.kind = kind;
            this.attributes = attributes;
            this.hash = ((System.identityHashCode(context) * 31 + metric.hashCode()) * 31 + unit.hashCode()) * 31 * 31
                    + kind * 31
                    + Arrays.hashCode(this.attributes);
        }

        @Override
        public boolean equals(Object o) {
            return o == this
                    || o instanceof Key k
                            && k.hash == hash
                            && k.context == context
                            && k.kind == kind
                            && k.metric.equals(metric)
                            && k.unit.equals(unit)
                            && Arrays.equals(k.attributes, attributes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private final Cache<Context, Context> contexts;
    /** A cached series and its cumulative-state key (built once, not per point). */
    record Resolved(MetricSeries series, CumulativeState.Key sumKey) {
        Resolved(MetricSeries series) {
            this(series, CumulativeState.sumKey(series.name(), series.labels()));
        }
    }

    private final Cache<Key, Resolved> cache;

    /**
     * One metric of one context: the unit of a {@link Shape}. Compares the context by identity, as {@link Key} does.
     */
    private record ShapeKey(Context context, String metric, String unit, int kind) {
        @Override
        public boolean equals(Object o) {
            return o instanceof ShapeKey k
                    && k.context == context
                    && k.kind == kind
                    && k.metric.equals(metric)
                    && k.unit.equals(unit);
        }

        @Override
        public int hashCode() {
            return (System.identityHashCode(context) * 31 + metric.hashCode()) * 31 + kind;
        }
    }

    /**
     * The points of one metric as the last request carried them: the flattened attributes and series of each, by
     * position. A client exports the same series in the same order every time, so comparing point {@code i}'s
     * attributes with those of point {@code i} last time finds its series without hashing, and against strings
     * decoded one request ago (still in the CPU's caches) rather than those of the request that first named the series.
     */
    private record Shape(Object[][] attributes, Resolved[] series) {}

    private final Cache<ShapeKey, Shape> shapes;

    public SeriesCache(long maxSeries) {
        this(maxSeries, 10_000);
    }

    SeriesCache(long maxSeries, long maxContexts) {
        this.cache = Caffeine.newBuilder()
                .maximumSize(maxSeries)
                .expireAfterAccess(Duration.ofHours(1))
                .build();
        this.contexts = Caffeine.newBuilder()
                .maximumSize(maxContexts)
                .expireAfterAccess(Duration.ofHours(1))
                .build();
        this.shapes = Caffeine.newBuilder()
                .maximumSize(maxContexts)
                .expireAfterAccess(Duration.ofHours(1))
                .build();
    }

    /**
     * Looks up the series of the {@code points} points of one metric of one request; call {@link Lookup#done()} after
     * the last.
     */
    Lookup lookup(Context context, String metric, String unit, int kind, int points) {
        ShapeKey key = new ShapeKey(context, metric, unit, kind);
        return new Lookup(key, shapes.getIfPresent(key), points);
    }

    /** The series lookups of one metric of one request; not thread-safe. */
    final class Lookup {
        private final ShapeKey key;
        private final @Nullable Shape previous;
        private final Object[][] attributes;
        private final Resolved[] series;

        private Lookup(ShapeKey key, @Nullable Shape previous, int points) {
            this.key = key;
            this.previous = previous;
            this.attributes = new Object[points][];
            this.series = new Resolved[points];
        }

        /** The series of point {@code index} with these flattened attributes, or null when not cached. */
        @Nullable
        Resolved get(int index, Object[] flat) {
            Resolved found = null;
            if (previous != null
                    && index < previous.series.length
                    && previous.series[index] != null
                    && Arrays.equals(previous.attributes[index], flat)) {
                found = previous.series[index];
            } else {
                found = cache.getIfPresent(new Key(key.context, key.metric, key.unit, key.kind, flat));
            }
            if (found != null) {
                attributes[index] = flat;
                series[index] = found;
            }
            return found;
        }

        /** Caches the series just resolved for point {@code index}. */
        void put(int index, Object[] flat, Resolved resolved) {
            cache.put(new Key(key.context, key.metric, key.unit, key.kind, flat), resolved);
            attributes[index] = flat;
            series[index] = resolved;
        }

        /** Remembers this request's points for the next request of the metric. */
        void done() {
            shapes.put(key, new Shape(attributes, series));
        }
    }

    /** The interned context of a block of metrics; call once per {@code ScopeMetrics}. */
    Context context(List<KeyValue> resource, InstrumentationScope scope) {
        Context fresh = new Context(resource, scope);
        return contexts.get(fresh, k -> k);
    }

    public long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }

    long contexts() {
        contexts.cleanUp();
        return contexts.estimatedSize();
    }

    /** {@code [key0, value0, key1, value1, ...]}; scalar values as Java objects, others as their {@link AnyValue}. */
    static Object[] flatten(List<KeyValue> attributes) {
        int n = attributes.size();
        Object[] flat = new Object[n * 2];
        for (int i = 0; i < n; i++) {
            KeyValue kv = attributes.get(i);
            AnyValue v = kv.getValue();
            flat[2 * i] = kv.getKey();
            flat[2 * i + 1] = switch (v.getValueCase()) {
                case STRING_VALUE -> v.getStringValue();
                case BOOL_VALUE -> v.getBoolValue();
                case INT_VALUE -> v.getIntValue();
                case DOUBLE_VALUE -> v.getDoubleValue();
                default -> v;
            };
        }
        return flat;
    }
}
