package io.agstorage.execution.internal;

import io.agstorage.core.retention.PrunedTable;
import io.agstorage.core.retention.RetainedTable;
import io.agstorage.core.retention.RetentionContributor;
import io.agstorage.core.retention.RetentionSetting;
import io.agstorage.core.retention.RollupDefinition;
import io.agstorage.core.retention.RollupDefinition.Column;
import java.time.Duration;
import java.util.List;

/**
 * The execution recorder's contribution to retention, registered in
 * {@code META-INF/services/io.agstorage.core.retention.RetentionContributor}: the {@code order_events},
 * {@code fills} and {@code positions} hypertables, kept for {@code retention.execution_retention_days} and never
 * compressed; the {@code orders} table, whose finished orders (filled, cancelled, rejected or expired) are deleted once
 * their last change is past the same retention and no event or fill of theirs is left; and the daily stats rollups
 * {@code orders_daily_stats} and {@code fills_daily_stats} (VWAP = Σ(price·size) / Σ size; per venue, market, side,
 * strategy and fee currency, so that fees of two currencies are never summed). The tables come from
 * {@code V003__executions.sql}, the rollup tables of the Apache edition from {@code V004__rollups.sql} (keys of
 * {@code fills_daily_stats} from {@code V009__execution_strategies.sql}).
 */
public final class ExecutionRetention implements RetentionContributor {

    public static final RollupDefinition ORDERS_DAILY_STATS = new RollupDefinition(
            "orders_daily_stats",
            "order_events",
            List.of("order_events", "orders"),
            Duration.ofDays(1),
            "%1$s.order_events e JOIN %1$s.orders o ON o.id = e.order_id",
            "e.time",
            List.of(new Column("venue", "o.venue"), new Column("market", "o.market"), new Column("status", "e.status")),
            List.of(new Column("event_count", "count(*)"), new Column("size_sum", "sum(e.size)")));

    public static final RollupDefinition FILLS_DAILY_STATS = new RollupDefinition(
            "fills_daily_stats",
            "fills",
            List.of("fills"),
            Duration.ofDays(1),
            "%1$s.fills f",
            "f.venue_trade_time",
            List.of(
                    new Column("venue", "f.venue"),
                    new Column("market", "f.market"),
                    new Column("side", "f.side"),
                    // fees of two currencies are never summed; '' for none (V009)
                    new Column("strategy_id", "coalesce(f.strategy_id, '')"),
                    new Column("fee_currency", "coalesce(f.fee_currency, '')")),
            List.of(
                    new Column("fill_count", "count(*)"),
                    new Column("volume", "sum(f.size)"),
                    new Column("notional", "sum(f.price * f.size)"),
                    new Column("vwap", "sum(f.price * f.size) / NULLIF(sum(f.size), 0)"),
                    new Column("fees", "sum(f.fee)")));

    private static final List<RetainedTable> HYPERTABLES = List.of(
            RetainedTable.of("order_events", RetentionSetting.EXECUTIONS),
            RetainedTable.of("fills", RetentionSetting.EXECUTIONS),
            RetainedTable.of("positions", RetentionSetting.EXECUTIONS));

    /**
     * Finished orders past {@code retention.execution_retention_days}: only once their events and fills are gone (the
     * chunks that held them are dropped first), so no kept event or fill loses its order.
     */
    public static final PrunedTable FINISHED_ORDERS = new PrunedTable(
            "orders",
            RetentionSetting.EXECUTIONS,
            "updated_at",
            "upper(t.status) IN ('FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED')"
                    + " AND NOT EXISTS (SELECT 1 FROM %1$s.order_events e WHERE e.order_id = t.id)"
                    + " AND NOT EXISTS (SELECT 1 FROM %1$s.fills f WHERE f.order_id = t.id)");

    /** For {@link java.util.ServiceLoader}. */
    public ExecutionRetention() {}

    @Override
    public String name() {
        return "executions";
    }

    @Override
    public List<RetainedTable> hypertables() {
        return HYPERTABLES;
    }

    @Override
    public List<String> regularTables() {
        return List.of("orders");
    }

    @Override
    public List<PrunedTable> prunedTables() {
        return List.of(FINISHED_ORDERS);
    }

    @Override
    public List<RollupDefinition> rollups() {
        return List.of(ORDERS_DAILY_STATS, FILLS_DAILY_STATS);
    }

    @Override
    public String toString() {
        return "ExecutionRetention[order_events, fills, positions, finished orders, orders_daily_stats, "
                + "fills_daily_stats]";
    }
}
