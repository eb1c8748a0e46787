package io.agstorage.execution.internal;

import io.agstorage.core.QueryLimitExceededException;
import io.agstorage.execution.DailyStats;
import io.agstorage.execution.Fill;
import io.agstorage.execution.Liquidity;
import io.agstorage.execution.Order;
import io.agstorage.execution.OrderEvent;
import io.agstorage.execution.OrderFilters;
import io.agstorage.execution.OrderStatus;
import io.agstorage.execution.OrderType;
import io.agstorage.execution.PositionSnapshot;
import io.agstorage.execution.SettlementStatus;
import io.agstorage.execution.Side;
import io.agstorage.execution.TimeInForce;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/** The read side of the execution tables. Values are always bound; the schema is validated and quoted by the core. */
public final class ExecutionQueries {

    private static final String ORDER_COLUMNS =
            "id, client_order_id, venue_order_id, venue, market, side, order_type, time_in_force, "
                    + "price, size, status, created_at, updated_at, expires_at, strategy_id, account_id, tags, "
                    + "filled_qty, avg_fill_price";
    static final String FILL_COLUMNS =
            "order_id, venue, market, venue_trade_id, side, price, size, fee, fee_currency, liquidity, "
                    + "venue_trade_time, settlement_status, strategy_id, account_id, tags";
    static final String POSITION_COLUMNS =
            "venue, market, size, avg_entry_price, realized_pnl, unrealized_pnl, time, strategy_id, account_id, tags";

    private final DataSource dataSource;
    private final String schema;
    private final int maxResults;

    public ExecutionQueries(DataSource dataSource, String quotedSchema, int maxResults) {
        this.dataSource = dataSource;
        this.schema = quotedSchema;
        this.maxResults = maxResults;
    }

    /** The SQL {@link #latestPosition} runs, for EXPLAIN. */
    public String latestPositionSql() {
        return "SELECT " + POSITION_COLUMNS + " FROM " + schema
                + ".positions WHERE venue = ? AND market = ? ORDER BY time DESC LIMIT 1";
    }

    public List<Order> orders(Instant start, Instant end, OrderFilters filters) throws SQLException {
        StringBuilder sql = new StringBuilder(
                "SELECT " + ORDER_COLUMNS + " FROM " + schema + ".orders WHERE created_at >= ? AND created_at < ?");
        List<Object> args = new ArrayList<>(List.of(odt(start), odt(end)));
        if (filters.venue() != null) {
            sql.append(" AND venue = ?");
            args.add(filters.venue());
        }
        if (filters.market() != null) {
            sql.append(" AND market = ?");
            args.add(filters.market());
        }
        if (filters.side() != null) {
            sql.append(" AND side = ?");
            args.add(filters.side().name());
        }
        if (filters.status() != null) {
            sql.append(" AND status = ?");
            args.add(filters.status().name());
        }
        desk(sql, args, filters.strategyId(), filters.accountId(), filters.tags());
        sql.append(" ORDER BY created_at, id LIMIT ?");
        int limit = filters.limit() > 0 ? filters.limit() : maxResults + 1;
        args.add(limit);
        List<Order> result = list(sql.toString(), args, ExecutionQueries::order);
        if (filters.limit() == 0 && result.size() > maxResults) {
            throw new QueryLimitExceededException(maxResults);
        }
        return result;
    }

    /** Appends the strategy, account and tag filters that are set, as bound parameters. */
    static void desk(
            StringBuilder sql,
            List<Object> args,
            @Nullable String strategyId,
            @Nullable String accountId,
            Set<String> tags) {
        if (strategyId != null) {
            sql.append(" AND strategy_id = ?");
            args.add(strategyId);
        }
        if (accountId != null) {
            sql.append(" AND account_id = ?");
            args.add(accountId);
        }
        if (!tags.isEmpty()) {
            sql.append(" AND tags @> ?::text[]");
            args.add(tags.toArray(String[]::new));
        }
    }

    public Optional<Order> order(UUID id) throws SQLException {
        List<Order> l = list(
                "SELECT " + ORDER_COLUMNS + " FROM " + schema + ".orders WHERE id = ?",
                List.of(id),
                ExecutionQueries::order);
        return l.stream().findFirst();
    }

    /** Every order whose status is not final. */
    public List<Order> openOrders() throws SQLException {
        return list(
                "SELECT " + ORDER_COLUMNS + " FROM " + schema + ".orders WHERE status NOT IN " + FINAL_STATUSES,
                List.of(),
                ExecutionQueries::order);
    }

    /** The {@code limit} most recently updated final orders, newest first. */
    public List<Order> recentFinalOrders(int limit) throws SQLException {
        return list(
                "SELECT " + ORDER_COLUMNS + " FROM " + schema + ".orders WHERE status IN " + FINAL_STATUSES
                        + " ORDER BY updated_at DESC LIMIT ?",
                List.of(limit),
                ExecutionQueries::order);
    }

    private static final String FINAL_STATUSES = "('FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED')";

    public List<OrderEvent> events(UUID orderId) throws SQLException {
        return limited(
                "SELECT event_id, order_id, status, previous_status, price, size, venue_order_id, reason, time FROM "
                        + schema + ".order_events WHERE order_id = ? ORDER BY time, event_id",
                List.of(orderId),
                rs -> new OrderEvent(
                        (UUID) rs.getObject(1),
                        (UUID) rs.getObject(2),
                        OrderStatus.valueOf(rs.getString(3)),
                        rs.getString(4) == null ? null : OrderStatus.valueOf(rs.getString(4)),
                        rs.getBigDecimal(5),
                        rs.getBigDecimal(6),
                        rs.getString(7),
                        rs.getString(8),
                        instant(rs, 9)));
    }

    public List<Fill> fillsByOrder(UUID orderId) throws SQLException {
        return limited(
                "SELECT " + FILL_COLUMNS + " FROM " + schema
                        + ".fills WHERE order_id = ? ORDER BY venue_trade_time, venue_trade_id",
                List.of(orderId),
                ExecutionQueries::fill);
    }

    /** Fills in [start, end) whose order id is in no row of {@code orders}. */
    public List<Fill> fillsForUnknownOrders(Instant start, Instant end) throws SQLException {
        return limited(
                "SELECT " + FILL_COLUMNS + " FROM " + schema
                        + ".fills f WHERE venue_trade_time >= ? AND venue_trade_time < ? "
                        + "AND NOT EXISTS (SELECT 1 FROM " + schema
                        + ".orders o WHERE o.id = f.order_id) ORDER BY venue_trade_time, venue_trade_id",
                List.of(odt(start), odt(end)),
                ExecutionQueries::fill);
    }

    public List<PositionSnapshot> positions(String market, Instant start, Instant end) throws SQLException {
        return limited(
                "SELECT " + POSITION_COLUMNS + " FROM " + schema
                        + ".positions WHERE market = ? AND time >= ? AND time < ? " + "ORDER BY time, venue",
                List.of(market, odt(start), odt(end)),
                ExecutionQueries::position);
    }

    public Optional<PositionSnapshot> latestPosition(String venue, String market) throws SQLException {
        return list(latestPositionSql(), List.of(venue, market), ExecutionQueries::position).stream()
                .findFirst();
    }

    /** Orders created per UTC day, venue, market and strategy. */
    public List<DailyStats> dailyOrderStats(Instant start, Instant end) throws SQLException {
        return limited(
                "SELECT time_bucket(INTERVAL '1 day', created_at) AS day, venue, market, count(*), sum(size), "
                        + "coalesce(sum(price * size), 0), 0::numeric, sum(price * size) / nullif(sum(size) FILTER "
                        + "(WHERE price IS NOT NULL), 0), strategy_id, NULL::text "
                        + "FROM " + schema
                        + ".orders WHERE created_at >= ? AND created_at < ? GROUP BY 1, 2, 3, 9 "
                        + "ORDER BY 1, 2, 3, 9 NULLS FIRST",
                List.of(odt(start), odt(end)),
                ExecutionQueries::stats);
    }

    interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    <T> List<T> limited(String sql, List<Object> args, Row<T> row) throws SQLException {
        List<Object> withLimit = new ArrayList<>(args);
        withLimit.add(maxResults + 1);
        List<T> result = list(sql + " LIMIT ?", withLimit, row);
        if (result.size() > maxResults) {
            throw new QueryLimitExceededException(maxResults);
        }
        return result;
    }

    <T> List<T> list(String sql, List<Object> args, Row<T> row) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            List<T> result = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    result.add(row.map(rs));
                }
            }
            return result;
        }
    }

    static Order order(ResultSet rs) throws SQLException {
        return new Order(
                (UUID) rs.getObject(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                Side.valueOf(rs.getString(6)),
                OrderType.valueOf(rs.getString(7)),
                TimeInForce.valueOf(rs.getString(8)),
                rs.getBigDecimal(9),
                rs.getBigDecimal(10),
                OrderStatus.valueOf(rs.getString(11)),
                instant(rs, 12),
                instant(rs, 13),
                nullableInstant(rs, 14),
                rs.getString(15),
                rs.getString(16),
                tags(rs, 17),
                rs.getBigDecimal(18),
                stripped(rs.getBigDecimal(19)));
    }

    static Fill fill(ResultSet rs) throws SQLException {
        String liquidity = rs.getString(10);
        return new Fill(
                (UUID) rs.getObject(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                Side.valueOf(rs.getString(5)),
                rs.getBigDecimal(6),
                rs.getBigDecimal(7),
                rs.getBigDecimal(8),
                rs.getString(9),
                liquidity == null ? null : Liquidity.valueOf(liquidity),
                instant(rs, 11),
                SettlementStatus.valueOf(rs.getString(12)),
                rs.getString(13),
                rs.getString(14),
                tags(rs, 15));
    }

    static PositionSnapshot position(ResultSet rs) throws SQLException {
        return new PositionSnapshot(
                rs.getString(1),
                rs.getString(2),
                rs.getBigDecimal(3),
                rs.getBigDecimal(4),
                rs.getBigDecimal(5),
                rs.getBigDecimal(6),
                instant(rs, 7),
                rs.getString(8),
                rs.getString(9),
                tags(rs, 10));
    }

    static DailyStats stats(ResultSet rs) throws SQLException {
        BigDecimal vwap = rs.getBigDecimal(8);
        return new DailyStats(
                rs.getObject(1, OffsetDateTime.class).toLocalDate(),
                rs.getString(2),
                rs.getString(3),
                rs.getLong(4),
                rs.getBigDecimal(5),
                rs.getBigDecimal(6),
                rs.getBigDecimal(7),
                vwap == null ? null : vwap.stripTrailingZeros(),
                rs.getString(9),
                rs.getString(10));
    }

    /** A {@code text[]} column as a set; null is none. */
    static Set<String> tags(ResultSet rs, int column) throws SQLException {
        Array a = rs.getArray(column);
        if (a == null) {
            return Set.of();
        }
        try {
            return new LinkedHashSet<>(Arrays.asList((String[]) a.getArray()));
        } finally {
            a.free();
        }
    }

    private static @Nullable BigDecimal stripped(@Nullable BigDecimal d) {
        return d == null ? null : d.stripTrailingZeros();
    }

    static Instant instant(ResultSet rs, int column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }

    private static @Nullable Instant nullableInstant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    static OffsetDateTime odt(Instant t) {
        return OffsetDateTime.ofInstant(t, java.time.ZoneOffset.UTC);
    }
}
