package io.agstorage.core.internal.query;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Caches answers to queries over closed time ranges (ending in the past), for {@code query.cache_ttl_sec}.
 * Queries reaching into the future are never cached: their answer still changes as data arrives.
 */
public final class QueryCache {

    private final Cache<Object, Object> cache;
    private final Clock clock;

    public QueryCache(Duration ttl, Clock clock) {
        this.cache =
                Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(10_000).build();
        this.clock = clock;
    }

    /** The cached answer for {@code key} when {@code end} is in the past, else a fresh one from {@code query}. */
    @SuppressWarnings("unchecked")
    public <T> T get(Object key, Instant end, Supplier<T> query) {
        if (!end.isBefore(clock.instant())) {
            return query.get();
        }
        return (T) cache.get(key, k -> query.get());
    }
}
