package io.agstorage.execution.internal;

import io.agstorage.core.QueryLimitExceededException;
import io.agstorage.execution.DailyStats;
import io.agstorage.execution.ExecutionFilters;
import io.agstorage.execution.Fill;
import io.agstorage.execution.PositionSnapshot;
import io.agstorage.execution.RealizedPnl;
import io.agstorage.execution.Side;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The reads a desk asks for: fills and positions filtered by strategy, account and tags, fill statistics per
 * strategy and fee currency, and realized P&amp;L by average cost ({@link PnlLedger}). Values are always bound.
 */
final class DeskQueries {

    private final DataSource dataSource;
    private final String schema;
    private final int maxResults;
    private final ExecutionQueries base;

    DeskQueries(DataSource dataSource, String quotedSchema, int maxResults, ExecutionQueries base) {
        this.dataSource = dataSource;
        this.schema = quotedSchema;
        this.maxResults = maxResults;
        this.base = base;
    }

    List<Fill> fills(Instant start, Instant end, ExecutionFilters filters) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT " + ExecutionQueries.FILL_COLUMNS + " FROM " + schema
                + ".fills WHERE venue_trade_time >= ? AND venue_trade_time < ?");
        List<Object> args = new ArrayList<>(List.of(ExecutionQueries.odt(start), ExecutionQueries.odt(end)));
        common(sql, args, filters);
        sql.append(" ORDER BY venue_trade_time, venue_trade_id, order_id");
        return limit(sql, args, filters, ExecutionQueries::fill);
    }

    List<PositionSnapshot> positions(Instant start, Instant end, ExecutionFilters filters) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT " + ExecutionQueries.POSITION_COLUMNS + " FROM " + schema
                + ".positions WHERE time >= ? AND time < ?");
        List<Object> args = new ArrayList<>(List.of(ExecutionQueries.odt(start), ExecutionQueries.odt(end)));
        common(sql, args, filters);
        sql.append(" ORDER BY time, venue, market, strategy_id NULLS FIRST, account_id NULLS FIRST");
        return limit(sql, args, filters, ExecutionQueries::position);
    }

    private static void common(StringBuilder sql, List<Object> args, ExecutionFilters filters) {
        if (filters.venue() != null) {
            sql.append(" AND venue = ?");
            args.add(filters.venue());
        }
        if (filters.market() != null) {
            sql.append(" AND market = ?");
            args.add(filters.market());
        }
        ExecutionQueries.desk(sql, args, filters.strategyId(), filters.accountId(), filters.tags());
    }

    private <T> List<T> limit(
            StringBuilder sql, List<Object> args, ExecutionFilters filters, ExecutionQueries.Row<T> row)
            throws SQLException {
        if (filters.limit() == 0) {
            return base.limited(sql.toString(), args, row);
        }
        sql.append(" LIMIT ?");
        args.add(filters.limit());
        return base.list(sql.toString(), args, row);
    }

    /**
     * Fills per UTC day, venue, market, strategy and fee currency (fees of two currencies are never added up);
     * fills whose settlement FAILED are left out.
     */
    List<DailyStats> dailyFillStats(Instant start, Instant end) throws SQLException {
        return base.limited(
                "SELECT time_bucket(INTERVAL '1 day', venue_trade_time) AS day, venue, market, count(*), sum(size), "
                        + "sum(price * size), sum(fee), sum(price * size) / nullif(sum(size), 0), strategy_id, "
                        + "fee_currency FROM " + schema + ".fills "
                        + "WHERE venue_trade_time >= ? AND venue_trade_time < ? AND settlement_status <> 'FAILED' "
                        + "GROUP BY 1, 2, 3, 9, 10 ORDER BY 1, 2, 3, 9 NULLS FIRST, 10 NULLS FIRST",
                List.of(ExecutionQueries.odt(start), ExecutionQueries.odt(end)),
                ExecutionQueries::stats);
    }

    /**
     * Realized P&amp;L per (strategy, venue, market) traded in {@code [start, end)}: replays every stored fill of
     * those before {@code end} (streamed with a cursor, not bounded by {@code query.max_results}) through a
     * {@link PnlLedger}, counting only the fills from {@code start} on.
     */
    List<RealizedPnl> realizedPnl(Instant start, Instant end) throws SQLException {
        // '' stands for "no strategy" in the semi-join (a strategy id is never blank)
        String sql = "SELECT strategy_id, venue, market, side, price, size, fee, fee_currency, "
                + "venue_trade_time >= ? AS counted FROM " + schema + ".fills "
                + "WHERE venue_trade_time < ? AND settlement_status <> 'FAILED' "
                + "AND (coalesce(strategy_id, ''), venue, market) IN (SELECT DISTINCT coalesce(strategy_id, ''), "
                + "venue, market FROM " + schema + ".fills WHERE venue_trade_time >= ? AND venue_trade_time < ? "
                + "AND settlement_status <> 'FAILED') "
                + "ORDER BY strategy_id NULLS FIRST, venue, market, venue_trade_time, venue_trade_id, order_id";
        List<RealizedPnl> result = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false); // a cursor: the rows are fetched a batch at a time
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setFetchSize(10_000);
                ps.setObject(1, ExecutionQueries.odt(start));
                ps.setObject(2, ExecutionQueries.odt(end));
                ps.setObject(3, ExecutionQueries.odt(start));
                ps.setObject(4, ExecutionQueries.odt(end));
                PnlLedger ledger = null;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String strategy = rs.getString(1);
                        String venue = rs.getString(2);
                        String market = rs.getString(3);
                        if (ledger == null || !ledger.isFor(strategy, venue, market)) {
                            if (ledger != null) {
                                add(result, ledger.result());
                            }
                            ledger = new PnlLedger(strategy, venue, market);
                        }
                        BigDecimal fee = rs.getBigDecimal(7);
                        ledger.fill(
                                Side.valueOf(rs.getString(4)),
                                rs.getBigDecimal(5),
                                rs.getBigDecimal(6),
                                fee,
                                rs.getString(8),
                                rs.getBoolean(9));
                    }
                }
                if (ledger != null) {
                    add(result, ledger.result());
                }
                c.commit();
            } finally {
                c.setAutoCommit(autoCommit);
            }
        }
        return result;
    }

    private void add(List<RealizedPnl> result, RealizedPnl pnl) {
        if (result.size() >= maxResults) {
            throw new QueryLimitExceededException(maxResults);
        }
        result.add(Objects.requireNonNull(pnl));
    }
}
