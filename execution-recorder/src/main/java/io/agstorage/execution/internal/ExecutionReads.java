package io.agstorage.execution.internal;

import io.agstorage.core.StorageEngine;
import io.agstorage.core.StorageException;
import io.agstorage.execution.DailyStats;
import io.agstorage.execution.ExecutionFilters;
import io.agstorage.execution.Fill;
import io.agstorage.execution.Order;
import io.agstorage.execution.OrderEvent;
import io.agstorage.execution.OrderFilters;
import io.agstorage.execution.PositionSnapshot;
import io.agstorage.execution.RealizedPnl;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The execution store's reads: checks the arguments, runs the {@link ExecutionQueries} query and turns an
 * {@link SQLException} into a {@link StorageException} naming the store's method, e.g. "queryOrders failed: ...".
 */
public final class ExecutionReads {

    private final ExecutionQueries queries;
    private final DeskQueries desk;

    public ExecutionReads(StorageEngine engine) {
        this.queries = new ExecutionQueries(
                engine.dataSource(), engine.quotedSchema(), engine.config().maxResults());
        this.desk = new DeskQueries(
                engine.dataSource(), engine.quotedSchema(), engine.config().maxResults(), queries);
    }

    public List<Fill> fills(Instant start, Instant end, ExecutionFilters filters) {
        checkRange(start, end);
        Objects.requireNonNull(filters, "filters");
        return query("queryFills", () -> desk.fills(start, end, filters));
    }

    public List<PositionSnapshot> positions(Instant start, Instant end, ExecutionFilters filters) {
        checkRange(start, end);
        Objects.requireNonNull(filters, "filters");
        return query("queryPositions", () -> desk.positions(start, end, filters));
    }

    public List<RealizedPnl> realizedPnl(Instant start, Instant end) {
        checkRange(start, end);
        return query("realizedPnl", () -> desk.realizedPnl(start, end));
    }

    public List<Order> orders(Instant start, Instant end, OrderFilters filters) {
        checkRange(start, end);
        Objects.requireNonNull(filters, "filters");
        return query("queryOrders", () -> queries.orders(start, end, filters));
    }

    /** The order as the database holds it. */
    public Optional<Order> order(UUID orderId) {
        return query("getOrder", () -> queries.order(orderId));
    }

    /** Every open (not final) order; read once at start. */
    public List<Order> openOrders() {
        return query("openOrders", queries::openOrders);
    }

    /** The {@code limit} most recently updated final orders, newest first; read once at start. */
    public List<Order> recentFinalOrders(int limit) {
        return query("recentFinalOrders", () -> queries.recentFinalOrders(limit));
    }

    public List<OrderEvent> events(UUID orderId) {
        Objects.requireNonNull(orderId, "orderId");
        return query("queryOrderEvents", () -> queries.events(orderId));
    }

    public List<Fill> fillsByOrder(UUID orderId) {
        Objects.requireNonNull(orderId, "orderId");
        return query("queryFillsByOrder", () -> queries.fillsByOrder(orderId));
    }

    public List<Fill> fillsForUnknownOrders(Instant start, Instant end) {
        checkRange(start, end);
        return query("queryFillsForUnknownOrders", () -> queries.fillsForUnknownOrders(start, end));
    }

    public List<PositionSnapshot> positions(String market, Instant start, Instant end) {
        Objects.requireNonNull(market, "market");
        checkRange(start, end);
        return query("queryPositions", () -> queries.positions(market, start, end));
    }

    public Optional<PositionSnapshot> latestPosition(String venue, String market) {
        Objects.requireNonNull(venue, "venue");
        Objects.requireNonNull(market, "market");
        return query("getLatestPosition", () -> queries.latestPosition(venue, market));
    }

    public List<DailyStats> dailyFillStats(Instant start, Instant end) {
        checkRange(start, end);
        return query("dailyFillStats", () -> desk.dailyFillStats(start, end));
    }

    public List<DailyStats> dailyOrderStats(Instant start, Instant end) {
        checkRange(start, end);
        return query("dailyOrderStats", () -> queries.dailyOrderStats(start, end));
    }

    public String latestPositionSql() {
        return queries.latestPositionSql();
    }

    private interface Query<T> {
        T run() throws SQLException;
    }

    private static <T> T query(String what, Query<T> q) {
        try {
            return q.run();
        } catch (SQLException e) {
            throw new StorageException(what + " failed: " + e.getMessage(), e);
        }
    }

    private static void checkRange(Instant start, Instant end) {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        if (end.isBefore(start)) {
            throw new IllegalArgumentException("end must not be before start, was start=" + start + ", end=" + end);
        }
    }
}
