package io.agstorage.execution.internal;

import io.agstorage.execution.Fill;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The identity of fills: (venue, venue trade id, order id), whatever trade time each report carries. A batch's
 * fills are merged by that key here, then {@code fill_keys} gives each its canonical trade time — the first report's
 * — in one statement, so that the {@code fills} upsert on (venue, venue trade id, order id, venue trade time) makes a
 * re-report the same row and a later settlement status an update of it.
 */
final class FillKeys {

    /** A fill's identity. */
    record Key(String venue, String venueTradeId, UUID orderId) {

        static Key of(Fill f) {
            return new Key(f.venue(), f.venueTradeId(), f.orderId());
        }
    }

    // one lock order for every writer: two transactions upserting overlapping keys then never deadlock
    private static final Comparator<Key> ORDER =
            Comparator.comparing(Key::venue).thenComparing(Key::venueTradeId).thenComparing(Key::orderId);

    private final String upsert;

    FillKeys(String quotedSchema) {
        // DO UPDATE (a no-op) rather than DO NOTHING: RETURNING then gives the stored time of keys already present
        this.upsert = "INSERT INTO " + quotedSchema + ".fill_keys AS k (venue, venue_trade_id, order_id, "
                + "venue_trade_time) SELECT v, t, o, 'epoch'::timestamptz + m * INTERVAL '1 microsecond' "
                + "FROM unnest(?::text[], ?::text[], ?::uuid[], ?::bigint[]) AS u(v, t, o, m) "
                + "ON CONFLICT (venue, venue_trade_id, order_id) DO UPDATE SET venue = EXCLUDED.venue "
                + "RETURNING venue, venue_trade_id, order_id, venue_trade_time";
    }

    /**
     * Adds {@code f} to a batch's fills: the first report of a key keeps its fields and time, a later one only
     * raises the settlement status.
     */
    static void merge(Map<Key, Fill> fills, Fill f) {
        fills.merge(
                Key.of(f),
                f,
                (first, later) -> later.settlementStatus().rank()
                                > first.settlementStatus().rank()
                        ? first.withSettlementStatus(later.settlementStatus())
                        : first);
    }

    /**
     * Records the keys of {@code fills} not yet known, with their time, and returns the fills each at the trade time
     * of its key's first report (stored before, or this one).
     */
    List<Fill> canonical(Connection c, Map<Key, Fill> fills) throws SQLException {
        List<Key> keys = new ArrayList<>(fills.keySet());
        keys.sort(ORDER);
        int n = keys.size();
        String[] venues = new String[n];
        String[] tradeIds = new String[n];
        String[] orderIds = new String[n];
        long[] micros = new long[n];
        for (int i = 0; i < n; i++) {
            Key k = keys.get(i);
            venues[i] = k.venue();
            tradeIds[i] = k.venueTradeId();
            orderIds[i] = k.orderId().toString();
            micros[i] = epochMicros(fills.get(k).tradeTime());
        }
        Map<Key, Instant> times = new HashMap<>(n * 2);
        try (PreparedStatement ps = c.prepareStatement(upsert)) {
            ps.setObject(1, venues);
            ps.setObject(2, tradeIds);
            ps.setObject(3, orderIds);
            ps.setObject(4, micros);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    times.put(
                            new Key(rs.getString(1), rs.getString(2), (UUID) rs.getObject(3)),
                            rs.getObject(4, OffsetDateTime.class).toInstant());
                }
            }
        }
        List<Fill> result = new ArrayList<>(n);
        for (Map.Entry<Key, Fill> e : fills.entrySet()) {
            Instant time = times.get(e.getKey());
            if (time == null) {
                throw new IllegalStateException("fill_keys returned no time for " + e.getKey());
            }
            Fill f = e.getValue();
            result.add(time.equals(f.tradeTime()) ? f : f.withTradeTime(time));
        }
        return result;
    }

    static Map<Key, Fill> newBatch() {
        return new LinkedHashMap<>();
    }

    private static long epochMicros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
    }
}
