package io.agstorage.core.internal;

import io.agstorage.core.SeriesLimitException;
import io.agstorage.core.SeriesLimitException.Reason;
import io.agstorage.core.SeriesLimits;
import io.agstorage.core.json.LabelsJson;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * Counts the series an engine knows (those in the schema when it started, plus those created or met since) and refuses
 * a new one past {@link SeriesLimits}. Remembers each known series as a 64-bit fingerprint, so a series evicted from
 * {@link SeriesRegistry} and met again is not counted twice, with the database id the writer last resolved for it, so
 * that it is not looked up again either ({@link FingerprintTable}: 64 to 128 bytes a series known, those in the
 * schema at start included). Thread-safe.
 */
public final class SeriesBudget {

    /** Per process, so that labels chosen to collide on both hashes cannot be prepared in advance. */
    private static final long ID_CHECK_SEED = new SecureRandom().nextLong();

    private final SeriesLimits limits;
    private final FingerprintTable known = new FingerprintTable();
    private final Map<String, int[]> perMetric = new HashMap<>();
    private final LongAdder[] refused = new LongAdder[Reason.values().length];

    public SeriesBudget(SeriesLimits limits) {
        this.limits = limits;
        for (int i = 0; i < refused.length; i++) {
            refused[i] = new LongAdder();
        }
    }

    /**
     * Counts every series of the schema (at start): one streamed read of {@code series}.
     *
     * @return how many were read
     */
    public int readExisting(Connection connection, String quotedSchema) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false); // pgjdbc streams with a fetch size only inside a transaction
        int n = 0;
        try (Statement st = connection.createStatement()) {
            st.setFetchSize(10_000);
            try (ResultSet rs = st.executeQuery("SELECT metric, labels::text FROM " + quotedSchema + ".series")) {
                while (rs.next()) {
                    exists(rs.getString(1), new TreeMap<>(LabelsJson.parse(rs.getString(2))));
                    n++;
                }
            }
        } finally {
            connection.rollback();
            connection.setAutoCommit(autoCommit);
        }
        return n;
    }

    /** Counts a series the database already holds, whatever the limits (read at start, or met by id). */
    public void exists(String metric, SortedMap<String, String> labels) {
        exists(fingerprint(metric, labels), metric);
    }

    /** {@link #exists(String, SortedMap)} of the series with this {@link #fingerprint}. */
    synchronized void exists(long fingerprint, String metric) {
        if (known.add(fingerprint)) {
            perMetric.computeIfAbsent(metric, m -> new int[1])[0]++;
        }
    }

    /**
     * Admits the series: a known one always, a new one if it stays within the limits (then it is counted).
     *
     * @return whether the series is new to this engine: not in the schema at start, not met since
     * @throws SeriesLimitException when a new series would break a limit (counted by reason)
     */
    public boolean admit(String metric, SortedMap<String, String> labels) {
        return admit(fingerprint(metric, labels), metric, labels);
    }

    /** {@link #admit(String, SortedMap)} of the series with this {@link #fingerprint}. */
    boolean admit(long fp, String metric, SortedMap<String, String> labels) {
        SeriesLimitException refusal;
        synchronized (this) {
            if (known.contains(fp)) {
                return false;
            }
            refusal = check(metric, labels);
            if (refusal == null) {
                known.add(fp);
                perMetric.computeIfAbsent(metric, m -> new int[1])[0]++;
                return true;
            }
        }
        refused[refusal.reason().ordinal()].increment();
        throw refusal;
    }

    /**
     * Remembers {@code id}, resolved at {@code atNanos} for the series of {@code ref} (nothing for 0), so that it
     * outlives the reference's eviction from the registry.
     */
    void rememberId(SeriesRef ref, long id, long atNanos) {
        if (id != 0) {
            long fp = fingerprint(ref.metric(), ref.labels());
            long check = idCheck(ref.metric(), ref.labels());
            synchronized (this) {
                known.remember(fp, check, id, atNanos);
            }
        }
    }

    /**
     * Hands {@code ref}, a series interned again, the id remembered for it, if any and resolved within {@link
     * SeriesRef#REFRESH_NANOS}; an older one is not handed back (the series may be gone: the writer resolves it again,
     * and until then the spool records its definition, not a stale id).
     */
    void restoreId(long fingerprint, SeriesRef ref) {
        long check = idCheck(ref.metric(), ref.labels());
        long now = System.nanoTime();
        synchronized (this) {
            int slot = known.withId(fingerprint, check);
            long resolvedAt = slot >= 0 ? known.resolvedAt(slot) : 0;
            if (slot >= 0 && now - resolvedAt <= SeriesRef.REFRESH_NANOS) {
                ref.restored(known.id(slot), resolvedAt);
            }
        }
    }

    private @Nullable SeriesLimitException check(String metric, Map<String, String> labels) {
        int bytes = labelBytes(labels);
        if (bytes > limits.maxLabelBytes()) {
            return new SeriesLimitException(
                    Reason.LABEL_BYTES,
                    metric,
                    "metric '" + metric + "': new series refused, its labels take " + bytes
                            + " bytes, over limits.max_label_bytes=" + limits.maxLabelBytes());
        }
        if (known.size() >= limits.maxSeries()) {
            return new SeriesLimitException(
                    Reason.MAX_SERIES,
                    metric,
                    "metric '" + metric + "': new series refused, limits.max_series=" + limits.maxSeries()
                            + " reached (" + known.size() + " series known to this engine)");
        }
        int[] count = perMetric.get(metric);
        if (count != null && count[0] >= limits.maxSeriesPerMetric()) {
            return new SeriesLimitException(
                    Reason.MAX_SERIES_PER_METRIC,
                    metric,
                    "metric '" + metric + "': new series refused, limits.max_series_per_metric="
                            + limits.maxSeriesPerMetric() + " reached (" + count[0] + " series of this metric)");
        }
        return null;
    }

    /** Series known to this engine: in the schema at start plus created or met since. */
    public synchronized int known() {
        return known.size();
    }

    /** Series of {@code metric} known to this engine. */
    public synchronized int known(String metric) {
        int[] count = perMetric.get(metric);
        return count == null ? 0 : count[0];
    }

    /** New series refused so far for {@code reason}. */
    public long refused(Reason reason) {
        return refused[reason.ordinal()].sum();
    }

    /** UTF-8 bytes of the label keys and values together. */
    public static int labelBytes(Map<String, String> labels) {
        int n = 0;
        for (Map.Entry<String, String> e : labels.entrySet()) {
            n += utf8Length(e.getKey()) + utf8Length(e.getValue());
        }
        return n;
    }

    private static int utf8Length(String s) {
        int n = 0;
        for (int i = 0, len = s.length(); i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /** A 64-bit fingerprint of the metric and its labels in their sorted order (FNV-1a, then a final mix). */
    static long fingerprint(String metric, Map<String, String> labels) {
        long h = 0xcbf29ce484222325L;
        h = mix(h, metric);
        for (Map.Entry<String, String> e : labels.entrySet()) {
            h = (h ^ 0xFFFF) * 0x100000001b3L;
            h = mix(h, e.getKey());
            h = (h ^ 0xFFFE) * 0x100000001b3L;
            h = mix(h, e.getValue());
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }

    /**
     * A second 64-bit hash of the metric and its sorted labels, independent of {@link #fingerprint} (another
     * multiplier, a rotation, another final mix), which an id is stored with.
     */
    static long idCheck(String metric, Map<String, String> labels) {
        long h = ID_CHECK_SEED;
        h = mixCheck(h, metric);
        for (Map.Entry<String, String> e : labels.entrySet()) {
            h = (h + 0x7F) * 0xC2B2AE3D27D4EB4FL;
            h = mixCheck(h, e.getKey());
            h = (h + 0x7E) * 0xC2B2AE3D27D4EB4FL;
            h = mixCheck(h, e.getValue());
        }
        h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
        h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }

    private static long mixCheck(long h, String s) {
        for (int i = 0, len = s.length(); i < len; i++) {
            h = (Long.rotateLeft(h, 23) ^ s.charAt(i)) * 0xC2B2AE3D27D4EB4FL;
        }
        return (Long.rotateLeft(h, 23) ^ s.length()) * 0xC2B2AE3D27D4EB4FL;
    }

    private static long mix(long h, String s) {
        for (int i = 0, len = s.length(); i < len; i++) {
            h = (h ^ s.charAt(i)) * 0x100000001b3L;
        }
        return (h ^ s.length()) * 0x100000001b3L;
    }
}
