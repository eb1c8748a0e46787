package io.agstorage.otel.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.agstorage.core.MetricSeries;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The series of a number point, keyed by what the OTLP request says (resource attributes, scope, metric, kind, point
 * attributes) rather than by the label map built from it: a repeated point skips building labels, checking them and
 * interning the series. Bounded; a miss simply resolves the series again.
 */
public final class SeriesCache {

    /** The resource and scope of a block of metrics, hashed once per block. */
    static final class Context {
        private final List<KeyValue> resource;
        private final InstrumentationScope scope;
        private final int hash;

        Context(List<KeyValue> resource, InstrumentationScope scope) {
            this.resource = resource;
            this.scope = scope;
            this.hash = resource.hashCode() * 31 + scope.hashCode();
        }

        @Override
        public boolean equals(Object o) {
            return o == this || o instanceof Context c && c.hash == hash && c.resource.equals(resource) && c.scope.equals(scope);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    record Key(Context context, String metric, String unit, int kind, List<KeyValue> attributes) {}

    static final int GAUGE = 0;
    static final int MONOTONIC_SUM = 1;
    static final int SUM = 2;

    private final Cache<Key, MetricSeries> cache;

    public SeriesCache(long maxSeries) {
        this.cache = Caffeine.newBuilder().maximumSize(maxSeries).expireAfterAccess(Duration.ofHours(1)).build();
    }

    @Nullable MetricSeries get(Key key) {
        return cache.getIfPresent(key);
    }

    void put(Key key, MetricSeries series) {
        cache.put(Objects.requireNonNull(key, "key"), series);
    }

    public long size() {
        return cache.estimatedSize();
    }
}
