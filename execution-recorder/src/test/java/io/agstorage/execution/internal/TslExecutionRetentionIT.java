package io.agstorage.execution.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.StorageEngine;
import io.agstorage.core.TimescaleTier;
import io.agstorage.core.retention.RetentionManager;
import io.agstorage.core.testing.DatabaseExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Native policies and continuous aggregates of the execution recorder's tables and rollups on the TSL tier,
 * through {@link ExecutionRetention}'s service registration (moved here from storage-core's TslRetentionIT).
 */
class TslExecutionRetentionIT {

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.tsl("tsl_exec");

    private String job(String schema, String relation, String proc, String key) {
        return db.queryString("SELECT string_agg(job_id || ':' || (config->>'" + key
                + "')::interval, ',') FROM timescaledb_information.jobs " + "WHERE hypertable_schema = '" + schema
                + "' AND hypertable_name = '" + relation + "' AND proc_name = '" + proc + "'");
    }

    @Test
    void policiesFollowTheConfigAndChangingAnIntervalReplacesThePolicyWithoutDuplicates() {
        String schema = db.schema();
        try (StorageEngine engine = StorageEngine.create(db.config()
                .setMetricsRetentionDays(30)
                .setExecutionRetentionDays(365)
                .setCompressionAfterDays(7)
                .build())) {
            assertThat(engine.capabilities().tier()).isEqualTo(TimescaleTier.COMMUNITY);
            RetentionManager.create(engine);

            String retention = job(schema, "samples", "policy_retention", "drop_after");
            assertThat(retention).matches("\\d+:30 days");
            assertThat(job(schema, "histograms", "policy_retention", "drop_after"))
                    .matches("\\d+:30 days");
            assertThat(job(schema, "fills", "policy_retention", "drop_after")).matches("\\d+:365 days");
            assertThat(job(schema, "order_events", "policy_retention", "drop_after"))
                    .matches("\\d+:365 days");
            assertThat(job(schema, "samples", "policy_compression", "compress_after"))
                    .matches("\\d+:7 days");
            assertThat(job(schema, "metrics_hourly", "policy_refresh_continuous_aggregate", "start_offset"))
                    .matches("\\d+:1 day 01:00:00");
            assertThat(job(schema, "metrics_daily", "policy_refresh_continuous_aggregate", "start_offset"))
                    .matches("\\d+:3 days");
            assertThat(job(schema, "fills_daily_stats", "policy_refresh_continuous_aggregate", "end_offset"))
                    .matches("\\d+:1 day");
            assertThat(job(schema, "orders_daily_stats", "policy_refresh_continuous_aggregate", "end_offset"))
                    .matches("\\d+:1 day");
            assertThat(db.queryString("SELECT segmentby || '/' || orderby FROM "
                            + "timescaledb_information.hypertable_compression_settings WHERE hypertable = '\""
                            + schema + "\".samples'::regclass"))
                    .isEqualTo("series_id/\"time\" DESC");
            long jobs = db.queryLong(
                    "SELECT count(*) FROM timescaledb_information.jobs WHERE hypertable_schema = '" + schema + "'");
            assertThat(jobs).isEqualTo(2 * 2 + 1 + 3 + 4); // + 1: the retention of exemplars

            RetentionManager.create(engine); // a restart with the same settings

            assertThat(job(schema, "samples", "policy_retention", "drop_after")).isEqualTo(retention);
            assertThat(db.queryLong("SELECT count(*) FROM timescaledb_information.jobs WHERE hypertable_schema = '"
                            + schema + "'"))
                    .isEqualTo(jobs);

            RetentionManager.builder(engine)
                    .setMetricsRetentionDays(45)
                    .setLateDataWindow(Duration.ofDays(2))
                    .build();

            assertThat(job(schema, "samples", "policy_retention", "drop_after"))
                    .matches("\\d+:45 days")
                    .isNotEqualTo(retention);
            assertThat(job(schema, "histograms", "policy_retention", "drop_after"))
                    .matches("\\d+:45 days");
            assertThat(job(schema, "metrics_hourly", "policy_refresh_continuous_aggregate", "start_offset"))
                    .matches("\\d+:2 days 01:00:00");
            assertThat(db.queryLong("SELECT count(*) FROM timescaledb_information.jobs WHERE hypertable_schema = '"
                            + schema + "'"))
                    .isEqualTo(jobs);
        }
    }

    @Test
    void executionRollupsAreContinuousAggregatesThatMatchTheRawTablesVwapIncluded() {
        String schema = db.schema();
        try (StorageEngine engine = StorageEngine.create(db.config().build())) {
            String s = "\"" + schema + "\"";
            db.execute("INSERT INTO " + s
                    + ".orders (id, venue, market, side, order_type, time_in_force, price, size, status, created_at, "
                    + "updated_at) "
                    + "SELECT md5('o' || i)::uuid, 'polymarket', 'mkt-' || (i % 2), 'buy', 'limit', 'gtc', 0.5, 10, "
                    + "'filled', "
                    + "now() - i * INTERVAL '1 day', now() FROM generate_series(1, 20) i");
            db.execute("INSERT INTO " + s
                    + ".order_events (time, event_id, order_id, status, size) SELECT now() - i * INTERVAL '1 day', "
                    + "md5('e' || i)::uuid, md5('o' || i)::uuid, 'filled', 10 FROM generate_series(1, 20) i");
            db.execute("INSERT INTO " + s
                    + ".fills (venue_trade_time, venue, venue_trade_id, order_id, market, side, price, size, "
                    + "fee, settlement_status) "
                    + "SELECT now() - i * INTERVAL '1 day' + k * INTERVAL '1 minute', 'polymarket', 't' || i "
                    + "|| '-' || k, md5('o' || i)::uuid, "
                    + "'mkt-' || (i % 2), 'buy', 0.40 + k * 0.01, k * 1.5, 0.002 * k, 'settled' FROM "
                    + "generate_series(1, 20) i, generate_series(1, 4) k");

            RetentionManager.create(engine);

            assertThat(db.queryString(
                            "SELECT count(*) FROM timescaledb_information.continuous_aggregates WHERE view_schema = '"
                                    + schema + "'"))
                    .isEqualTo("4");
            assertThat(ApacheExecutionRetentionIT.symmetricDifference(
                            db,
                            "SELECT time_bucket('1 day', venue_trade_time), venue, market, side, count(*), "
                                    + "sum(size), sum(price * size), "
                                    + "sum(price * size) / sum(size), sum(fee) FROM " + s
                                    + ".fills GROUP BY 1, 2, 3, 4",
                            "SELECT bucket, venue, market, side, fill_count, volume, notional, vwap, fees FROM " + s
                                    + ".fills_daily_stats"))
                    .isZero();
            assertThat(db.queryLong("SELECT count(*) FROM " + s + ".fills_daily_stats"))
                    .isEqualTo(20);
            assertThat(ApacheExecutionRetentionIT.symmetricDifference(
                            db,
                            "SELECT time_bucket('1 day', e.time), o.venue, o.market, e.status, count(*), sum(e.size) "
                                    + "FROM "
                                    + s + ".order_events e JOIN " + s
                                    + ".orders o ON o.id = e.order_id GROUP BY 1, 2, 3, 4",
                            "SELECT bucket, venue, market, status, event_count, size_sum FROM " + s
                                    + ".orders_daily_stats"))
                    .isZero();
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

            RetentionManager.create(engine);

            // alpha/USDC: fees 0.02 - 0.01 = 0.01 over 2 fills; alpha/POL: 0.5; none/none: 0
            assertThat(db.queryString("SELECT string_agg(strategy_id || '/' || fee_currency || '=' || fees::text "
                            + "|| ' (' || fill_count || ')', ', ' ORDER BY strategy_id, fee_currency) FROM " + s
                            + ".fills_daily_stats WHERE market = 'mkt'"))
                    .isEqualTo("/=0 (1), alpha/POL=0.5 (1), alpha/USDC=0.01 (2)");
        }
    }
}
