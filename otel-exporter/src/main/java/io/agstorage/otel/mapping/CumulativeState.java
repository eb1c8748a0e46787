package io.agstorage.otel.mapping;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.agstorage.core.HistogramPoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
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
 *
 * <p>Each series' state lives in a {@link Slot} that the map holds; a {@link Key} kept with a cached series remembers
 * its slot, so a repeated point updates the slot under its lock without a map operation. A slot leaves the map only
 * marked dead (eviction, expiry, rollback of a new series), and a key holding a dead slot looks the series up again:
 * there is never more than one live slot per series. A remembered slot refreshes its map entry's access time at most
 * once every {@value #TOUCH_SECONDS} seconds.
 *
 * <p>API: one instance per exporter or receiver, shared by all its exports and thread-safe; a {@link PointWriter}
 * applies it. Callers only create it and may build a series' {@link #sumKey} once to keep with the series.
 *
 * <p>This in-memory state is exact only while its process is the one writer of its series and keeps running: a
 * restarted process, or two processes sharing series, lose or double increases. {@link #inDatabase()} is the state
 * for those cases (the OTLP receiver's): the points go to the engine cumulative, and the writer computes each delta in
 * the transaction that stores it, against state kept in the database ({@code cumulative_state}), with the same rules,
 * except that "before this instance started" becomes "before the database started keeping state".
 */
public final class CumulativeState {

    /** What to store for one cumulative point. */
    private enum Outcome {
        FULL,
        DIFFERENCE,
        SKIP
    }

    static final long TOUCH_SECONDS = 60;
    private static final long TOUCH_NANOS = TimeUnit.SECONDS.toNanos(TOUCH_SECONDS);

    /**
     * A series of one engine: its label map is the engine's interned instance ({@code MetricSeries.labels()}), so
     * identity is enough and far cheaper than comparing maps on every point. Remembers the series' slot (not part of
     * equality).
     */
    public static final class Key {
        private final String metric;
        private final Map<String, String> labels;
        private final String kind;
        private final int hash;
        private volatile @Nullable Slot slot;

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

    /** The state of one series; all fields guarded by the slot's lock. */
    static final class Slot {
        @Nullable
        Entry entry;
        /** Out of the map (or on its way out): never updated again. */
        boolean dead;

        long touchedNanos;

        Slot(long nowNanos) {
            this.touchedNanos = nowNanos;
        }
    }

    private final ConcurrentMap<Key, Slot> slots;
    private final long instanceStartNanos;
    private final boolean inDatabase;

    /**
     * State kept in the database, shared by every process writing the same schema: exact across restarts, replays and
     * any number of receivers fed in any order. A {@link PointWriter} with it adds cumulative points to its batch as
     * they are ({@link io.agstorage.core.SampleBatch#addCumulative}).
     */
    public static CumulativeState inDatabase() {
        return new CumulativeState(1, 0, Runnable::run, true);
    }

    /** Whether this is {@link #inDatabase()}: deltas are computed by the writer, this instance holds nothing. */
    public boolean isInDatabase() {
        return inDatabase;
    }

    /**
     * A state remembering at most {@code maxSeries} series; {@code instanceStartNanos} (epoch nanoseconds) is when
     * this exporter or receiver started: a series first seen with an earlier start time stores nothing.
     */
    public CumulativeState(long maxSeries, long instanceStartNanos) {
        this(maxSeries, instanceStartNanos, ForkJoinPool.commonPool());
    }

    /** {@code maintenance} runs the map's evictions (tests pass {@code Runnable::run} to evict at once). */
    CumulativeState(long maxSeries, long instanceStartNanos, Executor maintenance) {
        this(maxSeries, instanceStartNanos, maintenance, false);
    }

    private CumulativeState(long maxSeries, long instanceStartNanos, Executor maintenance, boolean inDatabase) {
        this.inDatabase = inDatabase;
        Cache<Key, Slot> cache = Caffeine.newBuilder()
                .maximumSize(maxSeries)
                .expireAfterAccess(Duration.ofHours(1))
                .executor(maintenance)
                .evictionListener((Key key, Slot slot, RemovalCause cause) -> {
                    if (slot != null) {
                        synchronized (slot) {
                            slot.dead = true;
                        }
                    }
                })
                .build();
        this.slots = cache.asMap();
        this.instanceStartNanos = instanceStartNanos;
    }

    long instanceStartNanos() {
        return instanceStartNanos;
    }

    /** One change of one export: {@code slot} went from {@code previous} to {@code next}. */
    private record Change(Key key, Slot slot, @Nullable Entry previous, Entry next) {}

    /** The undo log of one export. Not thread-safe; one per export. */
    final class Undo {
        private final List<Change> changes;

        private Undo(int expectedChanges) {
            changes = new ArrayList<>(expectedChanges);
        }

        /** Restores every series this export changed, unless a later export changed it again. */
        void rollback() {
            for (int i = changes.size() - 1; i >= 0; i--) {
                Change c = changes.get(i);
                boolean forget = false;
                synchronized (c.slot) {
                    if (!c.slot.dead && c.slot.entry == c.next) {
                        if (c.previous == null) {
                            c.slot.dead = true;
                            c.slot.entry = null;
                            forget = true;
                        } else {
                            c.slot.entry = c.previous;
                        }
                    }
                }
                if (forget) {
                    slots.remove(c.key, c.slot);
                }
            }
            changes.clear();
        }

        void clear() {
            changes.clear();
        }
    }

    Undo newUndo() {
        return newUndo(10);
    }

    /** An undo log sized for about {@code expectedChanges} cumulative points (one export's). */
    Undo newUndo(int expectedChanges) {
        return new Undo(expectedChanges);
    }

    /**
     * The delta of a cumulative sum point, or NaN when nothing is to be stored. {@code labels} must be the engine's
     * interned map of the series ({@code MetricSeries.labels()}).
     */
    double sumDelta(
            Undo undo,
            String metric,
            Map<String, String> labels,
            String kind,
            boolean monotonic,
            long startNanos,
            long timeNanos,
            double value) {
        return sumDelta(undo, new Key(metric, labels, kind), monotonic, startNanos, timeNanos, value);
    }

    /**
     * The key {@link #sumDelta} uses for a series; build it once and keep it with the series to skip the map per point.
     */
    public static Key sumKey(String metric, Map<String, String> labels) {
        return new Key(metric, labels, "sum");
    }

    /** {@link #sumDelta(Undo, String, Map, String, boolean, long, long, double)} with a key built before. */
    double sumDelta(Undo undo, Key key, boolean monotonic, long startNanos, long timeNanos, double value) {
        while (true) {
            Slot slot = slot(key);
            Entry previous;
            Outcome outcome;
            synchronized (slot) {
                if (slot.dead) {
                    forget(key, slot);
                    continue;
                }
                previous = slot.entry;
                outcome = decide(previous, startNanos, timeNanos);
                if (outcome == Outcome.DIFFERENCE && monotonic && value < previous.value) {
                    outcome = Outcome.FULL;
                }
                if (previous == null || timeNanos > previous.timeNanos) {
                    Entry next = new Entry(startNanos, timeNanos, value, null);
                    slot.entry = next;
                    undo.changes.add(new Change(key, slot, previous, next));
                }
            }
            return switch (outcome) {
                case FULL -> value;
                case DIFFERENCE -> value - previous.value;
                case SKIP -> Double.NaN;
            };
        }
    }

    /** The delta of a cumulative histogram point, or null when nothing is to be stored. */
    @Nullable
    HistogramPoint histogramDelta(
            Undo undo,
            String metric,
            Map<String, String> labels,
            long startNanos,
            long timeNanos,
            HistogramPoint cumulative) {
        Key key = new Key(metric, labels, "histogram");
        while (true) {
            Slot slot = slot(key);
            Entry previous;
            Outcome outcome;
            HistogramPoint delta = null;
            synchronized (slot) {
                if (slot.dead) {
                    forget(key, slot);
                    continue;
                }
                previous = slot.entry;
                outcome = decide(previous, startNanos, timeNanos);
                if (outcome == Outcome.DIFFERENCE) {
                    delta = previous.histogram == null ? null : cumulative.minus(previous.histogram);
                    if (delta == null) {
                        outcome = Outcome.FULL;
                    }
                }
                if (previous == null || timeNanos > previous.timeNanos) {
                    Entry next = new Entry(startNanos, timeNanos, 0, cumulative);
                    slot.entry = next;
                    undo.changes.add(new Change(key, slot, previous, next));
                }
            }
            return switch (outcome) {
                case FULL -> cumulative;
                case DIFFERENCE -> delta;
                case SKIP -> null;
            };
        }
    }

    /**
     * The live slot of a series: the one the key remembers, else the map's (created when absent). A remembered slot
     * refreshes its map entry now and then, so a series in use does not expire.
     */
    private Slot slot(Key key) {
        Slot slot = key.slot;
        long now = System.nanoTime();
        if (slot != null) {
            boolean touch;
            synchronized (slot) {
                touch = now - slot.touchedNanos > TOUCH_NANOS;
                if (touch) {
                    slot.touchedNanos = now;
                }
            }
            if (!touch || slots.get(key) == slot) {
                return slot;
            }
        }
        slot = slots.computeIfAbsent(key, k -> new Slot(now));
        key.slot = slot;
        return slot;
    }

    /**
     * Takes a dead slot out of the map (if still there) and out of the key, so the next look-up finds or makes a live
     * one.
     */
    private void forget(Key key, Slot dead) {
        slots.remove(key, dead);
        if (key.slot == dead) {
            key.slot = null;
        }
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

    /** How many series are remembered. */
    int size() {
        return slots.size();
    }
}
