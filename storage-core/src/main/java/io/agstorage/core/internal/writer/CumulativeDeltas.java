package io.agstorage.core.internal.writer;

import io.agstorage.core.HistogramPoint;
import io.agstorage.core.internal.Cumulative;
import io.agstorage.core.spool.internal.SpoolRecords;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Turns a batch's cumulative points into deltas inside the transaction that stores them, against the series' state in
 * {@code cumulative_state} (see {@code sql/V008__cumulative_state.sql}). The state rows of the batch's series are
 * locked first (in id order, so that concurrent writers do not deadlock on them), read, updated and written back in
 * the same transaction as the delta rows: any number of writers, fed in any order, restarted or replaying, store exact
 * increases, and a point at or before the stored one (a retry, a replay) adds nothing.
 *
 * <p>Rules per series, as the in-memory {@code CumulativeState} of the SDK exporter: no state yet, start time known
 * and at or after the horizon (when state started to be kept): the whole value; no state and an older or unknown
 * start: nothing, the value becomes the baseline; a time at or before the stored one: nothing; a new start time, a
 * monotonic sum that dropped, histogram counts that dropped or another bucket layout: a reset, the whole value;
 * otherwise the difference. Used by one thread at a time.
 */
final class CumulativeDeltas {

    /** The last point of a series; {@code start} null while the series has none. */
    private static final class State {
        @Nullable
        Long start;

        long time;
        double value;

        @Nullable
        HistogramPoint histogram;

        boolean changed;
    }

    private final String lockSql;
    private final String createSql;
    private final String updateSql;
    private final String horizonSql;
    private long horizonNanos = -1;

    long[] sampleTimes = new long[16];
    long[] sampleIds = new long[16];
    double[] sampleValues = new double[16];
    int sampleCount;
    long[] histogramTimes = new long[16];
    long[] histogramIds = new long[16];
    HistogramPoint[] histograms = new HistogramPoint[16];
    int histogramCount;

    CumulativeDeltas(String quotedSchema) {
        String table = quotedSchema + ".cumulative_state";
        this.lockSql = "SELECT series_id, start_nanos, time_micros, value, histogram FROM " + table
                + " WHERE series_id = ANY(?) ORDER BY series_id FOR UPDATE";
        this.createSql = "INSERT INTO " + table + " (series_id) SELECT unnest(?::bigint[]) ON CONFLICT DO NOTHING";
        this.updateSql = "UPDATE " + table + " c SET start_nanos = u.s, time_micros = u.t, value = u.v, "
                + "histogram = decode(u.h, 'hex') "
                + "FROM unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::float8[], ?::text[]) AS u(id, s, t, v, h) "
                + "WHERE c.series_id = u.id";
        this.horizonSql = "SELECT since_nanos FROM " + quotedSchema + ".cumulative_state_horizon";
    }

    /**
     * Computes the deltas of the batch's cumulative entries into {@link #sampleTimes} (and the other output arrays)
     * and moves the state of their series, in {@code connection}'s open transaction.
     */
    void compute(Connection connection, PendingBatch batch) throws SQLException {
        sampleCount = 0;
        histogramCount = 0;
        int n = batch.cumulativeCount;
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = batch.cumulativeSeries[i].id();
        }
        long[] distinct = Arrays.stream(ids).sorted().distinct().toArray();
        Map<Long, State> states = new HashMap<>(distinct.length * 2);
        lock(connection, distinct, states);
        if (states.size() < distinct.length) {
            long[] missing = Arrays.stream(distinct)
                    .filter(id -> !states.containsKey(id))
                    .toArray();
            try (PreparedStatement create = connection.prepareStatement(createSql)) {
                create.setObject(1, missing);
                create.executeUpdate();
            }
            lock(connection, missing, states);
        }
        long horizon = horizon(connection);
        for (int i = 0; i < n; i++) {
            State state = states.get(ids[i]);
            if (state == null) {
                throw new SQLException("cumulative state of series " + ids[i] + " is missing after it was created");
            }
            delta(
                    state,
                    ids[i],
                    batch.cumulativeTimes[i],
                    batch.cumulativeMarkers[i],
                    batch.cumulativeValues[i],
                    batch.cumulativeHistograms[i],
                    horizon);
        }
        update(connection, states);
    }

    private void delta(
            State state,
            long id,
            long time,
            long marker,
            double value,
            @Nullable HistogramPoint histogram,
            long horizon) {
        long start = Cumulative.startNanos(marker);
        boolean full;
        @Nullable HistogramPoint histogramDelta = null;
        if (state.start == null) {
            full = start != 0 && start >= horizon;
            if (!full) {
                remember(state, start, time, value, histogram);
                return;
            }
        } else if (time <= state.time) {
            return;
        } else if (start != state.start) {
            full = true;
        } else if (histogram == null) {
            full = Cumulative.monotonic(marker) && value < state.value;
        } else {
            histogramDelta = state.histogram == null ? null : histogram.minus(state.histogram);
            full = histogramDelta == null;
        }
        if (histogram == null) {
            addSample(id, time, full ? value : value - state.value);
        } else {
            addHistogram(id, time, full ? histogram : histogramDelta);
        }
        remember(state, start, time, value, histogram);
    }

    private static void remember(State state, long start, long time, double value, @Nullable HistogramPoint histogram) {
        state.start = start;
        state.time = time;
        state.value = value;
        state.histogram = histogram;
        state.changed = true;
    }

    private void lock(Connection connection, long[] ids, Map<Long, State> into) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(lockSql)) {
            select.setObject(1, ids);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    State state = new State();
                    long start = rs.getLong(2);
                    state.start = rs.wasNull() ? null : start;
                    state.time = rs.getLong(3);
                    state.value = rs.getDouble(4);
                    byte[] h = rs.getBytes(5);
                    state.histogram = h == null ? null : SpoolRecords.decodeHistogram(h);
                    into.put(rs.getLong(1), state);
                }
            }
        }
    }

    private void update(Connection connection, Map<Long, State> states) throws SQLException {
        int changed = 0;
        for (State s : states.values()) {
            if (s.changed) {
                changed++;
            }
        }
        if (changed == 0) {
            return;
        }
        long[] ids = new long[changed];
        long[] starts = new long[changed];
        long[] times = new long[changed];
        double[] values = new double[changed];
        String[] histogramHex = new String[changed];
        HexFormat hex = HexFormat.of();
        int i = 0;
        for (Map.Entry<Long, State> e : states.entrySet()) {
            State s = e.getValue();
            if (!s.changed) {
                continue;
            }
            ids[i] = e.getKey();
            starts[i] = s.start;
            times[i] = s.time;
            values[i] = s.value;
            histogramHex[i] = s.histogram == null ? null : hex.formatHex(SpoolRecords.encodeHistogram(s.histogram));
            i++;
        }
        try (PreparedStatement update = connection.prepareStatement(updateSql)) {
            update.setObject(1, ids);
            update.setObject(2, starts);
            update.setObject(3, times);
            update.setObject(4, values);
            update.setArray(5, connection.createArrayOf("text", histogramHex));
            update.executeUpdate();
        }
    }

    private long horizon(Connection connection) throws SQLException {
        if (horizonNanos < 0) {
            try (PreparedStatement select = connection.prepareStatement(horizonSql);
                    ResultSet rs = select.executeQuery()) {
                horizonNanos = rs.next() ? rs.getLong(1) : 0;
            }
        }
        return horizonNanos;
    }

    private void addSample(long id, long time, double value) {
        if (sampleCount == sampleTimes.length) {
            int grown = sampleCount * 2;
            sampleTimes = Arrays.copyOf(sampleTimes, grown);
            sampleIds = Arrays.copyOf(sampleIds, grown);
            sampleValues = Arrays.copyOf(sampleValues, grown);
        }
        sampleTimes[sampleCount] = time;
        sampleIds[sampleCount] = id;
        sampleValues[sampleCount++] = value;
    }

    private void addHistogram(long id, long time, HistogramPoint histogram) {
        if (histogramCount == histograms.length) {
            int grown = histogramCount * 2;
            histogramTimes = Arrays.copyOf(histogramTimes, grown);
            histogramIds = Arrays.copyOf(histogramIds, grown);
            histograms = Arrays.copyOf(histograms, grown);
        }
        histogramTimes[histogramCount] = time;
        histogramIds[histogramCount] = id;
        histograms[histogramCount++] = histogram;
    }

    /** Drops the output's references once written. */
    void clear() {
        Arrays.fill(histograms, 0, histogramCount, null);
        sampleCount = 0;
        histogramCount = 0;
    }
}
