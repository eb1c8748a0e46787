package io.agstorage.execution.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.StorageEngine;
import io.agstorage.core.retention.RetentionManager;
import io.agstorage.core.retention.RetentionReport;
import io.agstorage.core.retention.RetentionReport.RollupRefresh;
import io.agstorage.core.retention.RetentionReport.TableRetention;
import io.agstorage.core.retention.StorageStats;
import io.agstorage.core.testing.DatabaseExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The execution recorder's tables and rollups kept by storage-core's retention on the Apache edition, found
 * through {@link ExecutionRetention}'s service registration (moved here from storage-core's ApacheRetentionIT).
 */
class ApacheExecutionRetentionIT {

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("ret_exec");

    private static String q(String schema) {
        return "\"" + schema + "\"";
    }

    /** Rows of {@code a} missing from {@code b} plus rows of {@code b} missing from {@code a}: 0 when equal. */
    static long symmetricDifference(DatabaseExtension db, String a, String b) {
        return db.queryLong("SELECT (SELECT count(*) FROM (" + a + " EXCEPT ALL " + b + ") x) + (SELECT count(*) FROM ("
                + b + " EXCEPT ALL " + a + ") y)");
    }

    @Test
    void executionTablesGetTheirOwnRetentionAndDailyRollupsWithVwap() throws Exception {
        String schema = db.schema();
        try (StorageEngine engine =
                StorageEngine.create(db.config().setExecutionRetentionDays(365).build())) {
            String s = q(schema);
            db.execute("INSERT INTO " + s
                    + ".orders (id, venue, market, side, order_type, time_in_force, price, size, status, created_at, "
                    + "updated_at) "
                    + "SELECT md5('o' || i)::uuid, 'polymarket', 'mkt-' || (i % 2), CASE WHEN i % 3 = 0 THEN 'sell' "
                    + "ELSE 'buy' END, 'limit', 'gtc', "
                    + "0.5, 10, 'filled', now() - i * INTERVAL '1 day', now() FROM generate_series(1, 400) i");
            db.execute("INSERT INTO " + s
                    + ".order_events (time, event_id, order_id, status, size) SELECT now() - i * INTERVAL '1 day' + "
                    + "st * INTERVAL '1 minute', md5('e' || i || st)::uuid, md5('o' || i)::uuid, "
                    + "(ARRAY['accepted','partially_filled','filled'])[st], "
                    + "st * 2.5 FROM generate_series(1, 400) i, generate_series(1, 3) st");
            db.execute("INSERT INTO " + s
                    + ".fills (venue_trade_time, venue, venue_trade_id, order_id, market, side, price, size, fee, "
                    + "settlement_status) "
                    + "SELECT now() - i * INTERVAL '1 day' + k * INTERVAL '1 minute', 'polymarket', 't' || i || '-' "
                    + "|| k, md5('o' || i)::uuid, "
                    + "'mkt-' || (i % 2), CASE WHEN i % 3 = 0 THEN 'sell' ELSE 'buy' END, 0.40 + k * 0.01, k * 1.5, "
                    + "-0.001 * k, 'settled' "
                    + "FROM generate_series(1, 400) i, generate_series(1, 4) k");
            long oldFills = db.queryLong(
                    "SELECT count(*) FROM " + s + ".fills WHERE venue_trade_time < (SELECT max(range_end) FROM "
                            + "timescaledb_information.chunks WHERE hypertable_schema = '" + schema
                            + "' AND hypertable_name = 'fills' AND range_end <= "
                            + "now() - INTERVAL '365 days')");

            RetentionReport report = RetentionManager.create(engine).runRetention();

            assertThat(report.tables())
                    .extracting(TableRetention::table)
                    .contains("samples", "histograms", "order_events", "fills", "positions");

            TableRetention fills = report.tables().stream()
                    .filter(t -> t.table().equals("fills"))
                    .findFirst()
                    .orElseThrow();
            assertThat(fills.retentionDays()).isEqualTo(365);
            assertThat(fills.chunksDropped()).isPositive();
            assertThat(fills.rowsRemoved()).isEqualTo(oldFills).isPositive();
            assertThat(db.queryLong("SELECT count(*) FROM " + s + ".orders"))
                    .as("orders is never dropped")
                    .isEqualTo(400);
            assertThat(report.rollups())
                    .extracting(RollupRefresh::rollup)
                    .containsExactly("metrics_hourly", "metrics_daily", "orders_daily_stats", "fills_daily_stats");
            String kept = " >= (SELECT min(time_bucket('1 day', venue_trade_time)) FROM " + s + ".fills) ";
            assertThat(symmetricDifference(
                            db,
                            "SELECT time_bucket('1 day', venue_trade_time), venue, market, side, count(*), "
                                    + "sum(size), sum(price * size), "
                                    + "sum(price * size) / sum(size), sum(fee) FROM " + s
                                    + ".fills WHERE venue_trade_time < time_bucket('1 day', now()) "
                                    + "AND time_bucket('1 day', venue_trade_time)" + kept + "GROUP BY 1, 2, 3, 4",
                            "SELECT bucket, venue, market, side, fill_count, volume, notional, vwap, fees FROM " + s
                                    + ".fills_daily_stats " + "WHERE bucket" + kept))
                    .isZero();
            assertThat(db.queryLong("SELECT count(*) FROM " + s + ".fills_daily_stats"))
                    .isPositive();
            assertThat(db.queryString(
                            "SELECT vwap FROM " + s + ".fills_daily_stats ORDER BY bucket DESC, market LIMIT 1"))
                    .as("VWAP = sum(price * size) / sum(size)")
                    .isEqualTo(db.queryString("SELECT (0.41 * 1.5 + 0.42 * 3.0 + 0.43 * 4.5 + 0.44 * 6.0) / 15.0"));
            String keptEvents = " >= (SELECT min(time_bucket('1 day', time)) FROM " + s + ".order_events) ";
            assertThat(symmetricDifference(
                            db,
                            "SELECT time_bucket('1 day', e.time), o.venue, o.market, e.status, count(*), sum(e.size) "
                                    + "FROM "
                                    + s + ".order_events e JOIN "
                                    + s
                                    + ".orders o ON o.id = e.order_id WHERE e.time < time_bucket('1 day', now()) AND "
                                    + "time_bucket('1 day', e.time)"
                                    + keptEvents + "GROUP BY 1, 2, 3, 4",
                            "SELECT bucket, venue, market, status, event_count, size_sum FROM " + s
                                    + ".orders_daily_stats WHERE bucket" + keptEvents))
                    .isZero();
        }
    }

    @Test
    void theManagerFindsTheExecutionContributorAndReportsItsTables() {
        String schema = db.schema();
        try (StorageEngine engine = StorageEngine.create(db.config().build())) {
            db.execute("INSERT INTO " + q(schema)
                    + ".orders (id, venue, market, side, order_type, time_in_force, price, size, status, created_at, "
                    + "updated_at) VALUES (md5('o')::uuid, 'polymarket', 'mkt', 'buy', 'limit', 'gtc', 0.5, 10, "
                    + "'filled', now(), now())");
            RetentionManager retention = RetentionManager.create(engine);

            assertThat(retention.contributors()).containsExactly("metrics", "executions");
            assertThat(retention.existingRollups())
                    .containsExactly("metrics_hourly", "metrics_daily", "orders_daily_stats", "fills_daily_stats");
            StorageStats stats = retention.getStorageStats();
            assertThat(stats.tables())
                    .extracting(StorageStats.TableStats::table)
                    .containsExactly(
                            "series",
                            "samples",
                            "histograms",
                            "exemplars",
                            "orders",
                            "order_events",
                            "fills",
                            "positions",
                            "metrics_hourly",
                            "metrics_daily",
                            "orders_daily_stats",
                            "fills_daily_stats");
            assertThat(stats.table("orders").kind()).isEqualTo("table");
            assertThat(stats.table("orders").rows()).isEqualTo(1);
            assertThat(stats.table("fills").kind()).isEqualTo("hypertable");
        }
    }

    @Test
    void theDailyFillRollupKeepsFeesOfEachStrategyAndFeeCurrencyApart() throws Exception {
        String schema = db.schema();
        try (StorageEngine engine = StorageEngine.create(db.config().build())) {
            String s = "\"" + schema + "\"";
            // one day, market and side: alpha pays fees in USDC twice and in POL once; a fill without strategy or
            // fee currency
            db.execute("INSERT INTO " + s
                    + ".fills (venue_trade_time, venue, venue_trade_id, order_id, market, side, price, size, fee, "
                    + "fee_currency, strategy_id, settlement_status) VALUES "
                    + "(time_bucket('1 day', now()) - INTERVAL '2 days' + INTERVAL '1 hour', 'polymarket', 'c1', "
                    + "md5('c')::uuid, 'mkt', 'BUY', 0.5, 10, 0.02, 'USDC', 'alpha', 'MATCHED'), "
                    + "(time_bucket('1 day', now()) - INTERVAL '2 days' + INTERVAL '2 hours', 'polymarket', 'c2', "
                    + "md5('c')::uuid, 'mkt', 'BUY', 0.6, 10, -0.01, 'USDC', 'alpha', 'MATCHED'), "
                    + "(time_bucket('1 day', now()) - INTERVAL '2 days' + INTERVAL '3 hours', 'polymarket', 'c3', "
                    + "md5('c')::uuid, 'mkt', 'BUY', 0.4, 5, 0.5, 'POL', 'alpha', 'MATCHED'), "
                    + "(time_bucket('1 day', now()) - INTERVAL '2 days' + INTERVAL '4 hours', 'polymarket', 'c4', "
                    + "md5('c')::uuid, 'mkt', 'BUY', 0.4, 5, 0, NULL, NULL, 'MATCHED')");

            RetentionManager.create(engine).runRetention();

            // alpha/USDC: fees 0.02 - 0.01 = 0.01 over 2 fills; alpha/POL: 0.5; none/none: 0
            assertThat(db.queryString("SELECT string_agg(strategy_id || '/' || fee_currency || '=' || fees::text "
                            + "|| ' (' || fill_count || ')', ', ' ORDER BY strategy_id, fee_currency) FROM " + s
                            + ".fills_daily_stats WHERE market = 'mkt'"))
                    .isEqualTo("/=0 (1), alpha/POL=0.5 (1), alpha/USDC=0.01 (2)");
        }
    }
}
