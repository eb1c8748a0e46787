package io.agstorage.execution.internal;

import io.agstorage.execution.Fill;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Writes a batch's fills, identified by (venue, venue trade id, order id) whatever trade time each report carries.
 * The batch is merged by that key first; then one statement upserts the keys into {@code fill_keys}, whose
 * {@code RETURNING} gives each the trade time of its first report (stored before, or this one), and writes every
 * fill at that time, so that the {@code fills} upsert on (venue, venue trade id, order id, venue trade time) makes
 * a re-report the same row and a later settlement status an update of it. The same statement keeps the orders'
 * {@code filled_qty} / {@code filled_notional} (and so {@code avg_fill_price}): a fill whose key it inserted adds to
 * its order, a stored fill whose settlement it moved to FAILED is taken out; a re-report adds nothing. Every value
 * is bound, in arrays.
 */
final class FillWriter {

    /** A fill's identity. */
    record Key(String venue, String venueTradeId, UUID orderId) {}

    // one lock order for every writer: two transactions upserting overlapping keys then never deadlock
    private static final Comparator<Key> ORDER =
            Comparator.comparing(Key::venue).thenComparing(Key::venueTradeId).thenComparing(Key::orderId);
    private static final String RANK = "CASE %s WHEN 'MATCHED' THEN 1 WHEN 'MINED' THEN 2 ELSE 3 END";

    private final String upsert;

    FillWriter(String quotedSchema) {
        this.upsert = "WITH u AS (SELECT * FROM unnest(?::text[], ?::text[], ?::uuid[], ?::bigint[], ?::text[], "
                + "?::text[], ?::numeric[], ?::numeric[], ?::numeric[], ?::text[], ?::text[], ?::text[], ?::text[], "
                + "?::text[]) WITH ORDINALITY AS u(venue, trade_id, order_id, micros, market, side, price, size, fee, "
                + "fee_currency, liquidity, status, strategy_id, account_id, n)), "
                // the tags of row n are the values paired with n (two flat arrays: a text[][] cannot be ragged)
                + "t AS (SELECT n, array_agg(tag ORDER BY tag) AS tags FROM unnest(?::int[], ?::text[]) AS t(n, tag) "
                + "GROUP BY n), "
                // DO UPDATE (a no-op) rather than DO NOTHING: RETURNING then also gives the keys already stored;
                // xmax = 0 marks a key inserted by this statement, i.e. a fill not stored before
                + "k AS (INSERT INTO " + quotedSchema + ".fill_keys (venue, venue_trade_id, order_id, "
                + "venue_trade_time) SELECT venue, trade_id, order_id, "
                + "'epoch'::timestamptz + micros * INTERVAL '1 microsecond' FROM u ORDER BY n "
                + "ON CONFLICT (venue, venue_trade_id, order_id) DO UPDATE SET venue = EXCLUDED.venue "
                + "RETURNING venue, venue_trade_id, order_id, venue_trade_time, (xmax = 0) AS fresh), "
                + "f AS (INSERT INTO " + quotedSchema + ".fills AS f (venue_trade_time, venue, venue_trade_id, "
                + "order_id, market, side, price, size, fee, fee_currency, liquidity, settlement_status, strategy_id, "
                + "account_id, tags) "
                + "SELECT k.venue_trade_time, u.venue, u.trade_id, u.order_id, u.market, u.side, u.price, u.size, "
                + "u.fee, u.fee_currency, u.liquidity, u.status, u.strategy_id, u.account_id, t.tags "
                + "FROM u JOIN k ON k.venue = u.venue AND k.venue_trade_id = u.trade_id AND k.order_id = u.order_id "
                + "LEFT JOIN t ON t.n = u.n "
                + "ON CONFLICT (venue, venue_trade_id, order_id, venue_trade_time) DO UPDATE SET "
                + "settlement_status = EXCLUDED.settlement_status WHERE " + RANK.formatted("f.settlement_status")
                + " < " + RANK.formatted("EXCLUDED.settlement_status") + " "
                + "RETURNING f.venue, f.venue_trade_id, f.order_id, f.price, f.size, f.settlement_status), "
                // what each order's fill progress changes by: a new fill adds (unless it failed already), a stored
                // one whose settlement just became FAILED (only a raise of the status updates a row) is taken out
                + "d AS (SELECT f.order_id, sum(CASE WHEN k.fresh THEN 1 ELSE -1 END * f.size) AS qty, "
                + "sum(CASE WHEN k.fresh THEN 1 ELSE -1 END * f.price * f.size) AS notional "
                + "FROM f JOIN k ON k.venue = f.venue AND k.venue_trade_id = f.venue_trade_id "
                + "AND k.order_id = f.order_id "
                + "WHERE k.fresh = (f.settlement_status <> 'FAILED') GROUP BY f.order_id) "
                + "UPDATE " + quotedSchema + ".orders o SET filled_qty = o.filled_qty + d.qty, "
                + "filled_notional = o.filled_notional + d.notional FROM d WHERE o.id = d.order_id";
    }

    static Map<Key, Fill> newBatch() {
        return new LinkedHashMap<>();
    }

    /**
     * Adds {@code f} to a batch's fills: the first report of a key keeps its fields and time, a later one only
     * raises the settlement status (the same rule the database applies to a fill stored before).
     */
    static void merge(Map<Key, Fill> fills, Fill f) {
        fills.merge(
                new Key(f.venue(), f.venueTradeId(), f.orderId()),
                f,
                (first, later) -> later.settlementStatus().rank()
                                > first.settlementStatus().rank()
                        ? first.withSettlementStatus(later.settlementStatus())
                        : first);
    }

    /** Writes the merged fills of a batch in {@code c}'s transaction, in one statement. */
    void write(Connection c, Map<Key, Fill> fills) throws SQLException {
        List<Key> keys = new ArrayList<>(fills.keySet());
        keys.sort(ORDER);
        int n = keys.size();
        String[][] text = new String[13][n];
        List<Integer> tagRows = new ArrayList<>();
        List<String> tagValues = new ArrayList<>();
        long[] micros = new long[n];
        for (int i = 0; i < n; i++) {
            Fill f = fills.get(keys.get(i));
            text[0][i] = f.venue();
            text[1][i] = f.venueTradeId();
            text[2][i] = f.orderId().toString();
            micros[i] = epochMicros(f.tradeTime());
            text[3][i] = f.market();
            text[4][i] = f.side().name();
            text[5][i] = f.price().toPlainString();
            text[6][i] = f.size().toPlainString();
            text[7][i] = f.fee().toPlainString();
            text[8][i] = f.feeCurrency();
            text[9][i] = f.liquidity() == null ? null : f.liquidity().name();
            text[10][i] = f.settlementStatus().name();
            text[11][i] = f.strategyId();
            text[12][i] = f.accountId();
            for (String tag : f.tags()) {
                tagRows.add(i + 1); // WITH ORDINALITY counts from 1
                tagValues.add(tag);
            }
        }
        try (PreparedStatement ps = c.prepareStatement(upsert)) {
            ps.setObject(1, text[0]);
            ps.setObject(2, text[1]);
            ps.setObject(3, text[2]);
            ps.setObject(4, micros);
            for (int a = 3; a < text.length; a++) {
                ps.setObject(a + 2, text[a]);
            }
            ps.setObject(
                    text.length + 2,
                    tagRows.stream().mapToInt(Integer::intValue).toArray());
            ps.setObject(text.length + 3, tagValues.toArray(String[]::new));
            ps.executeUpdate();
        }
    }

    private static long epochMicros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
    }
}
