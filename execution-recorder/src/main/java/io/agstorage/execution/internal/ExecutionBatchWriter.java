package io.agstorage.execution.internal;

import io.agstorage.execution.Fill;
import io.agstorage.execution.Order;
import io.agstorage.execution.OrderEvent;
import io.agstorage.execution.PositionSnapshot;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Writes a batch of execution records in one transaction. Every statement is idempotent against the tables'
 * natural keys, so a batch written twice (a retry after a lost commit acknowledgement, a journal replay) leaves
 * the same rows as once:
 * <ul>
 *   <li>orders: upsert on id, applied only when not older than the stored row ({@code updated_at}); the fill
 *       progress ({@code filled_qty}, {@code filled_notional}) is never taken from the record: it is recounted from
 *       the fills stored so far, then raised by the batch's new fills ({@link FillWriter});
 *   <li>order events and positions: {@code ON CONFLICT DO NOTHING};
 *   <li>fills: identified by (venue, venue trade id, order id) through {@code fill_keys}, which gives each the
 *       trade time of its first report ({@link FillWriter}); written at that time, so a re-report with another time
 *       is the same row, and on conflict only a later settlement status replaces the stored one.
 * </ul>
 */
public final class ExecutionBatchWriter {

    private final DataSource dataSource;
    private final String quotedSchema;
    private final String upsertOrder;
    private final String recountFills;
    private final String insertEvent;
    private final String insertPosition;
    private final FillWriter fills;
    private final FillKeyPruner pruner;

    public ExecutionBatchWriter(DataSource dataSource, String quotedSchema) {
        this.dataSource = dataSource;
        this.quotedSchema = quotedSchema;
        this.upsertOrder = "INSERT INTO " + quotedSchema
                + ".orders AS o (id, client_order_id, venue_order_id, venue, market, side, "
                + "order_type, time_in_force, price, size, status, created_at, updated_at, expires_at, strategy_id, "
                + "account_id, tags) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                + "client_order_id = EXCLUDED.client_order_id, venue_order_id = EXCLUDED.venue_order_id, venue = "
                + "EXCLUDED.venue, "
                + "market = EXCLUDED.market, side = EXCLUDED.side, order_type = EXCLUDED.order_type, "
                + "time_in_force = EXCLUDED.time_in_force, price = EXCLUDED.price, size = EXCLUDED.size, status = "
                + "EXCLUDED.status, "
                + "created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at, expires_at = "
                + "EXCLUDED.expires_at, strategy_id = EXCLUDED.strategy_id, account_id = EXCLUDED.account_id, "
                + "tags = EXCLUDED.tags "
                + "WHERE o.updated_at <= EXCLUDED.updated_at";
        // an order stored after some of its fills (they came first, or from another process): its fill progress
        // from the fills stored so far; the fills of this batch are written after it and add to it
        this.recountFills = "UPDATE " + quotedSchema + ".orders o SET filled_qty = s.qty, filled_notional = "
                + "s.notional FROM (SELECT k.order_id, sum(f.size) AS qty, sum(f.price * f.size) AS notional FROM "
                + quotedSchema + ".fill_keys k JOIN " + quotedSchema + ".fills f ON f.venue = k.venue "
                + "AND f.venue_trade_id = k.venue_trade_id AND f.order_id = k.order_id "
                + "AND f.venue_trade_time = k.venue_trade_time "
                + "WHERE k.order_id = ANY(?) AND f.settlement_status <> 'FAILED' GROUP BY k.order_id) s "
                + "WHERE o.id = s.order_id AND (o.filled_qty <> s.qty OR o.filled_notional <> s.notional)";
        this.insertEvent = "INSERT INTO " + quotedSchema
                + ".order_events (time, event_id, order_id, status, previous_status, price, "
                + "size, venue_order_id, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";
        this.insertPosition =
                "INSERT INTO " + quotedSchema + ".positions (time, venue, market, size, avg_entry_price, realized_pnl, "
                        + "unrealized_pnl, strategy_id, account_id, tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                        + "ON CONFLICT DO NOTHING";
        this.fills = new FillWriter(quotedSchema);
        this.pruner = new FillKeyPruner(dataSource, quotedSchema);
    }

    /** The dead letters of this writer's schema, also kept in {@code file}. */
    ExecutionDeadLetters deadLetters(Path file) {
        return new ExecutionDeadLetters(file, dataSource, quotedSchema);
    }

    /** Writes {@code records} ({@link OrderChange}, {@link Fill}, {@link PositionSnapshot}) and commits. */
    public void write(List<?> records) throws SQLException {
        Map<UUID, Order> orders = new LinkedHashMap<>();
        List<OrderEvent> events = new ArrayList<>();
        Map<FillWriter.Key, Fill> batchFills = FillWriter.newBatch();
        List<PositionSnapshot> positions = new ArrayList<>();
        for (Object r : records) {
            if (r instanceof OrderChange c) {
                Order previous = orders.get(c.order().id());
                if (previous == null || !previous.updatedAt().isAfter(c.order().updatedAt())) {
                    orders.put(c.order().id(), c.order());
                }
                events.add(c.event());
            } else if (r instanceof Fill f) {
                FillWriter.merge(batchFills, f);
            } else if (r instanceof PositionSnapshot p) {
                positions.add(p);
            } else {
                throw new IllegalArgumentException("not an execution record: " + r);
            }
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (!orders.isEmpty()) {
                    try (PreparedStatement ps = c.prepareStatement(upsertOrder)) {
                        for (Order o : orders.values()) {
                            ps.setObject(1, o.id());
                            ps.setString(2, o.clientOrderId());
                            ps.setString(3, o.venueOrderId());
                            ps.setString(4, o.venue());
                            ps.setString(5, o.market());
                            ps.setString(6, o.side().name());
                            ps.setString(7, o.type().name());
                            ps.setString(8, o.timeInForce().name());
                            decimal(ps, 9, o.price());
                            decimal(ps, 10, o.size());
                            ps.setString(11, o.status().name());
                            time(ps, 12, o.createdAt());
                            time(ps, 13, o.updatedAt());
                            time(ps, 14, o.expiresAt());
                            ps.setString(15, o.strategyId());
                            ps.setString(16, o.accountId());
                            tags(c, ps, 17, o.tags());
                            ps.addBatch();
                        }
                        ps.executeBatch();
                    }
                    try (PreparedStatement ps = c.prepareStatement(recountFills)) {
                        ps.setObject(1, orders.keySet().toArray(UUID[]::new));
                        ps.executeUpdate();
                    }
                    try (PreparedStatement ps = c.prepareStatement(insertEvent)) {
                        for (OrderEvent e : events) {
                            time(ps, 1, e.time());
                            ps.setObject(2, e.eventId());
                            ps.setObject(3, e.orderId());
                            ps.setString(4, e.status().name());
                            ps.setString(
                                    5,
                                    e.previousStatus() == null
                                            ? null
                                            : e.previousStatus().name());
                            decimal(ps, 6, e.price());
                            decimal(ps, 7, e.size());
                            ps.setString(8, e.venueOrderId());
                            ps.setString(9, e.reason());
                            ps.addBatch();
                        }
                        ps.executeBatch();
                    }
                }
                if (!batchFills.isEmpty()) {
                    fills.write(c, batchFills);
                }
                if (!positions.isEmpty()) {
                    try (PreparedStatement ps = c.prepareStatement(insertPosition)) {
                        for (PositionSnapshot p : positions) {
                            time(ps, 1, p.time());
                            ps.setString(2, p.venue());
                            ps.setString(3, p.market());
                            decimal(ps, 4, p.size());
                            decimal(ps, 5, p.avgEntryPrice());
                            decimal(ps, 6, p.realizedPnl());
                            decimal(ps, 7, p.unrealizedPnl());
                            ps.setString(8, p.strategyId());
                            ps.setString(9, p.accountId());
                            tags(c, ps, 10, p.tags());
                            ps.addBatch();
                        }
                        ps.executeBatch();
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }
        pruner.pruneIfDue();
    }

    static void decimal(PreparedStatement ps, int index, @Nullable BigDecimal value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.NUMERIC);
        } else {
            ps.setBigDecimal(index, value);
        }
    }

    /** Tags as a sorted {@code text[]}, null when there are none. */
    static void tags(Connection c, PreparedStatement ps, int index, Set<String> tags) throws SQLException {
        if (tags.isEmpty()) {
            ps.setNull(index, Types.ARRAY);
        } else {
            ps.setArray(index, c.createArrayOf("text", new TreeSet<>(tags).toArray()));
        }
    }

    static void time(PreparedStatement ps, int index, @Nullable Instant value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setObject(index, OffsetDateTime.ofInstant(value, ZoneOffset.UTC));
        }
    }
}
