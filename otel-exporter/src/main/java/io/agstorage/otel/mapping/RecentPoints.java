package io.agstorage.otel.mapping;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.agstorage.core.MetricSeries;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * A {@link PointLedger} in memory: per series, the times of its {@value #WINDOW} newest claimed points and the request
 * that claimed each.
 *
 * <p>Limits, each documented in the receiver's guarantees: a point older than the {@value #WINDOW} newest points of
 * its series that this ledger remembers cannot be checked and is stored (counted in {@link #unchecked()}); a series
 * evicted (more than {@code maxSeries} series, or idle for an hour) or a receiver restarted forgets its points. Within
 * those, a copy arriving at any moment after the first was mapped — queued, committing, committed — stores nothing.
 *
 * <p>Thread-safe: each series' window is guarded by its own lock.
 */
public final class RecentPoints implements PointLedger {

    /** How many of the newest points of each series are remembered. */
    static final int WINDOW = 16;

    /** The newest claimed points of one series; guarded by its lock. */
    private static final class Window {
        final long[] times = new long[WINDOW];
        final @Nullable Claims[] owners = new Claims[WINDOW];
        int size;
    }

    private final ConcurrentMap<CumulativeState.Key, Window> windows;
    private final LongAdder unchecked = new LongAdder();

    /** A ledger remembering at most {@code maxSeries} series. */
    public RecentPoints(long maxSeries) {
        Cache<CumulativeState.Key, Window> cache = Caffeine.newBuilder()
                .maximumSize(maxSeries)
                .expireAfterAccess(Duration.ofHours(1))
                .build();
        this.windows = cache.asMap();
    }

    @Override
    public @Nullable CompletableFuture<Void> claim(MetricSeries series, long timeNanos, Claims claims) {
        CumulativeState.Key key = new CumulativeState.Key(series.name(), series.labels(), "point");
        Window w = windows.computeIfAbsent(key, k -> new Window());
        synchronized (w) {
            int oldest = -1;
            for (int i = 0; i < w.size; i++) {
                if (w.times[i] == timeNanos) {
                    Claims owner = w.owners[i];
                    if (owner == claims) {
                        return owner.outcome(); // twice in one request: once is enough
                    }
                    if (owner == null || !owner.outcome().isCompletedExceptionally()) {
                        return owner == null ? CompletableFuture.completedFuture(null) : owner.outcome();
                    }
                    // The earlier copy failed and is withdrawing its claims: this one takes the point over.
                    w.owners[i] = claims;
                    claims.add(w, timeNanos);
                    return null;
                }
                if (oldest < 0 || w.times[i] < w.times[oldest]) {
                    oldest = i;
                }
            }
            int at;
            if (w.size < WINDOW) {
                at = w.size++;
            } else if (timeNanos > w.times[oldest]) {
                at = oldest;
            } else {
                unchecked.increment();
                return null;
            }
            w.times[at] = timeNanos;
            w.owners[at] = claims;
        }
        claims.add(w, timeNanos);
        return null;
    }

    @Override
    public void release(Claims claims) {
        for (int c = claims.size() - 1; c >= 0; c--) {
            Window w = (Window) claims.slot(c);
            long time = claims.time(c);
            synchronized (w) {
                for (int i = 0; i < w.size; i++) {
                    if (w.times[i] == time && w.owners[i] == claims) {
                        int last = --w.size;
                        w.times[i] = w.times[last];
                        w.owners[i] = w.owners[last];
                        w.owners[last] = null;
                        break;
                    }
                }
            }
        }
    }

    /** Points older than every point remembered of their series: stored without a check. */
    public long unchecked() {
        return unchecked.sum();
    }
}
