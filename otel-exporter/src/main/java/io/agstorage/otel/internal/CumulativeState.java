package io.agstorage.otel.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.agstorage.core.HistogramPoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import org.jspecify.annotations.Nullable;

/**
 * Turns cumulative points into deltas, per series, so that the stored values of counters and histograms are always
 * increases and "increase over a bucket" is a plain sum, exact across counter resets.
 *
 * <p>Rules, per series (metric + labels + kind):
 * <ul>
 *   <li>first point seen, start time at or after this instance started: the full value is the delta (the series
 *       began while we were watching);</li>
 *   <li>first point seen, start time unknown (0) or before this instance started: nothing is stored, the value is
 *       only remembered (a previous receiver may have stored those increases already; storing them again would
 *       double count them). The increase between the last point a previous instance stored and this one is lost;</li>
 *   <li>same start time, time after the last point: the difference; a monotonic value that dropped, histogram
 *       counts that dropped or a changed bucket layout count as a reset: the full value;</li>
 *   <li>a new start time: a reset, the full value;</li>
 *   <li>a time at or before the last point's (a retried or reordered export): nothing is stored.</li>
 * </ul>
 * The state is bounded ({@code maxSeries}, least recently used evicted, entries idle for an hour expire); an evicted
 * series comes back as "first seen". Updates of one export are undone with {@link Undo#rollback()} when the export
 * is not committed, so a retry of the same data stores exactly what the failed export would have.
 */
public final class CumulativeState {

    /** What to store for one cumulative point. */
    public enum Outcome { FULL, DIFFERENCE, SKIP }

    /**
     * A series of one engine: its label map is the engine's interned instance ({@code MetricSeries.labels()}), so
     * identity is enough and far cheaper than comparing maps on every point.
     */
    public static final class Key {
        private final String metric;
        private final Map<String, String> labels;
        private final String kind;
        private final int hash;

        Key(String metric, Map<String, String> labels, String kind) {
            this.metric = metric;
            this.labels = labels;
            this.kind = kind;
            this.hash = (metric.hashCode() * 31 + System.identityHashCode(labels)) * 31 + kind.hashCode();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.labels == labels && k.metric.equals(metric) && k.kind.equals(kind);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** The last cumulative point of a series; identity equality (used by rollback). */
    static final class Entry {
        final long startNanos;
        final long timeNanos;
        final double value;
        final @Nullable HistogramPoint histogram;

        Entry(long startNanos, long timeNanos, double value, @Nullable HistogramPoint histogram) {
            this.startNanos = startNanos;
            this.timeNanos = timeNanos;
            this.value = value;
            this.histogram = histogram;
        }
    }

    private final ConcurrentMap<Key, Entry> entries;
    private final long instanceStartNanos;

    public CumulativeState(long maxSeries, long instanceStartNanos) {
        Cache<Key, Entry> cache = Caffeine.newBuilder().maximumSize(maxSeries).expireAfterAccess(Duration.ofHours(1)).build();
        this.entries = cache.asMap();
        this.instanceStartNanos = instanceStartNanos;
    }

    public long instanceStartNanos() {
        return instanceStartNanos;
    }

    /** The undo log of one export. Not thread-safe; one per export. */
    public final class Undo {
        private final List<Object[]> changes = new ArrayList<>();

        /** Restores every series this export changed, unless a later export changed it again. */
        public void rollback() {
            for (int i = changes.size() - 1; i >= 0; i--) {
                Object[] c = changes.get(i);
                Key key = (Key) c[0];
                Entry previous = (Entry) c[1];
                Entry next = (Entry) c[2];
                if (previous == null) {
                    entries.remove(key, next);
                } else {
                    entries.replace(key, next, previous);
                }
            }
            changes.clear();
        }

        public void clear() {
            changes.clear();
        }
    }

    public Undo newUndo() {
        return new Undo();
    }

    /**
     * The delta of a cumulative sum point, or NaN when nothing is to be stored. {@code labels} must be the engine's
     * interned map of the series ({@code MetricSeries.labels()}).
     */
    public double sumDelta(Undo undo, String metric, Map<String, String> labels, String kind, boolean monotonic, long startNanos,
            long timeNanos, double value) {
        return sumDelta(undo, new Key(metric, labels, kind), monotonic, startNanos, timeNanos, value);
    }

    /** The key {@link #sumDelta} uses for a series; build it once and keep it with the series to save the hashing per point. */
    public static Key sumKey(String metric, Map<String, String> labels) {
        return new Key(metric, labels, "sum");
    }

    /** {@link #sumDelta(Undo, String, Map, String, boolean, long, long, double)} with a key built before. */
    public double sumDelta(Undo undo, Key key, boolean monotonic, long startNanos, long timeNanos, double value) {
        Entry[] previous = new Entry[1];
        Outcome[] outcome = new Outcome[1];
        Entry next = entries.compute(key, (k, prev) -> {
            previous[0] = prev;
            outcome[0] = decide(prev, startNanos, timeNanos);
            if (outcome[0] == Outcome.DIFFERENCE && monotonic && value < prev.value) {
                outcome[0] = Outcome.FULL;
            }
            return prev != null && timeNanos <= prev.timeNanos ? prev : new Entry(startNanos, timeNanos, value, null);
        });
        if (next != previous[0]) {
            undo.changes.add(new Object[] {key, previous[0], next});
        }
        return switch (outcome[0]) {
            case FULL -> value;
            case DIFFERENCE -> value - previous[0].value;
            case SKIP -> Double.NaN;
        };
    }

    /** The delta of a cumulative histogram point, or null when nothing is to be stored. */
    public @Nullable HistogramPoint histogramDelta(Undo undo, String metric, Map<String, String> labels, long startNanos,
            long timeNanos, HistogramPoint cumulative) {
        Entry[] previous = new Entry[1];
        Outcome[] outcome = new Outcome[1];
        HistogramPoint[] delta = new HistogramPoint[1];
        Key key = new Key(metric, labels, "histogram");
        Entry next = entries.compute(key, (k, prev) -> {
            previous[0] = prev;
            outcome[0] = decide(prev, startNanos, timeNanos);
            if (outcome[0] == Outcome.DIFFERENCE) {
                delta[0] = HistogramDeltas.subtract(cumulative, prev.histogram);
                if (delta[0] == null) {
                    outcome[0] = Outcome.FULL;
                }
            }
            return prev != null && timeNanos <= prev.timeNanos ? prev : new Entry(startNanos, timeNanos, 0, cumulative);
        });
        if (next != previous[0]) {
            undo.changes.add(new Object[] {key, previous[0], next});
        }
        return switch (outcome[0]) {
            case FULL -> cumulative;
            case DIFFERENCE -> delta[0];
            case SKIP -> null;
        };
    }

    private Outcome decide(@Nullable Entry prev, long startNanos, long timeNanos) {
        if (prev == null) {
            return startNanos != 0 && startNanos >= instanceStartNanos ? Outcome.FULL : Outcome.SKIP;
        }
        if (timeNanos <= prev.timeNanos) {
            return Outcome.SKIP;
        }
        if (startNanos != prev.startNanos) {
            return Outcome.FULL;
        }
        return Outcome.DIFFERENCE;
    }

    public int size() {
        return entries.size();
    }
}
