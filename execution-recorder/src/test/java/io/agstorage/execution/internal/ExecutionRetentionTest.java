package io.agstorage.execution.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.retention.RetainedTable;
import io.agstorage.core.retention.RetentionContributor;
import io.agstorage.core.retention.RetentionSetting;
import io.agstorage.core.retention.RollupDefinition;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class ExecutionRetentionTest {

    @Test
    void theContributorIsFoundByTheServiceLoader() {
        assertThat(ServiceLoader.load(RetentionContributor.class).stream().map(ServiceLoader.Provider::type))
                .containsExactly(ExecutionRetention.class);
    }

    @Test
    void itKeepsItsHypertablesForTheExecutionRetentionUncompressedAndPrunesOnlyFinishedOrders() {
        ExecutionRetention retention = new ExecutionRetention();

        assertThat(retention.name()).isEqualTo("executions");
        assertThat(retention.hypertables())
                .containsExactly(
                        RetainedTable.of("order_events", RetentionSetting.EXECUTIONS),
                        RetainedTable.of("fills", RetentionSetting.EXECUTIONS),
                        RetainedTable.of("positions", RetentionSetting.EXECUTIONS));
        assertThat(retention.regularTables()).containsExactly("orders");
        assertThat(retention.prunedTables()).containsExactly(ExecutionRetention.FINISHED_ORDERS);
        assertThat(ExecutionRetention.FINISHED_ORDERS.timeColumn()).isEqualTo("updated_at");
        assertThat(ExecutionRetention.FINISHED_ORDERS.condition())
                .contains("'FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED'")
                .contains("order_events e WHERE e.order_id = t.id", "fills f WHERE f.order_id = t.id");
        assertThat(retention.rollups())
                .extracting(RollupDefinition::name)
                .containsExactly("orders_daily_stats", "fills_daily_stats");
    }

    @Test
    void theRollupSelectGroupsByBucketExpressionAndKeys() {
        String select = ExecutionRetention.FILLS_DAILY_STATS.select("\"s\"", true);
        assertThat(select)
                .startsWith(
                        "SELECT time_bucket(INTERVAL '86400 seconds', f.venue_trade_time) AS bucket, f.venue AS venue")
                .contains("sum(f.price * f.size) / NULLIF(sum(f.size), 0) AS vwap")
                .contains("FROM \"s\".fills f WHERE f.venue_trade_time >= ? AND f.venue_trade_time < ?")
                .endsWith("GROUP BY time_bucket(INTERVAL '86400 seconds', f.venue_trade_time), f.venue, f.market, "
                        + "f.side, coalesce(f.strategy_id, ''), coalesce(f.fee_currency, '')");
        assertThat(ExecutionRetention.ORDERS_DAILY_STATS.requires()).containsExactly("order_events", "orders");
        assertThat(ExecutionRetention.ORDERS_DAILY_STATS.columns())
                .containsExactly("bucket", "venue", "market", "status", "event_count", "size_sum");
    }
}
