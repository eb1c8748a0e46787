package io.agstorage.execution;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.StorageEngine;
import io.agstorage.core.testing.DatabaseExtension;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The execution schema and store on the TSL tier (PostgreSQL compiled to WASM: one shared session, prepared
 * statements off): the migration applies, and orders, fills and positions round-trip with their idempotency.
 */
class TslTierIT {

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.tsl("exec_tsl");

    @TempDir
    Path journalDir;

    @Test
    void ordersFillsAndPositionsRoundTripOnTheTslTier() {
        run();
    }

    private void run() {
        try (StorageEngine engine = StorageEngine.create(db.config().build());
                ExecutionStore store = ExecutionStore.builder()
                        .storageEngine(engine)
                        .journalDirectory(journalDir)
                        .build()) {
            Instant t0 = Instant.parse("2026-04-01T12:00:00Z");
            String market = "0x" + UUID.randomUUID().toString().replace("-", "");
            Order order = Order.of("polymarket", market, Side.SELL, OrderType.LIMIT, new BigDecimal("25"))
                    .withPrice(new BigDecimal("0.47"))
                    .withCreatedAt(t0)
                    .withStrategyId("tsl-strategy")
                    .withTag("tsl");
            store.storeOrder(order);
            store.updateOrderStatus(order.id(), OrderStatus.ACCEPTED);
            Fill fill = Fill.of(order, "tsl-trade-1", new BigDecimal("0.47"), new BigDecimal("25"))
                    .withTradeTime(t0.plusSeconds(1));
            store.storeFill(fill);
            store.storeFill(fill);
            store.updateOrderStatus(order.id(), OrderStatus.FILLED);
            PositionSnapshot position = PositionSnapshot.of(
                            "polymarket", market, new BigDecimal("-25"), new BigDecimal("0.47"))
                    .withTime(t0.plusSeconds(2));
            store.storePosition(position);
            store.flush();

            assertThat(store.queryFillsByOrder(order.id())).containsExactly(fill);
            // the desk's fields and the fill progress (one statement with the fills' upsert) on this tier too
            assertThat(store.getOrder(order.id()).orElseThrow().filledQty()).isEqualByComparingTo("25");
            assertThat(store.getOrder(order.id()).orElseThrow().avgFillPrice()).isEqualByComparingTo("0.47");
            assertThat(store.queryFills(
                            t0,
                            t0.plusSeconds(60),
                            ExecutionFilters.builder()
                                    .strategyId("tsl-strategy")
                                    .tags("tsl")
                                    .build()))
                    .containsExactly(fill);
            assertThat(store.realizedPnl(t0, t0.plusSeconds(60)))
                    .singleElement()
                    .satisfies(p -> {
                        assertThat(p.strategyId()).isEqualTo("tsl-strategy");
                        assertThat(p.realizedPnl()).isEqualByComparingTo("0");
                        assertThat(p.position()).isEqualByComparingTo("-25");
                        assertThat(p.avgCost()).isEqualByComparingTo("0.47");
                    });
            assertThat(store.getOrder(order.id()))
                    .get()
                    .extracting(Order::status)
                    .isEqualTo(OrderStatus.FILLED);
            assertThat(store.queryOrderEvents(order.id())).hasSize(3);
            assertThat(store.getLatestPosition("polymarket", market)).contains(position);
            assertThat(store.dailyFillStats(t0.minusSeconds(3_600), t0.plusSeconds(3_600)))
                    .singleElement()
                    .satisfies(s -> assertThat(s.vwap()).isEqualByComparingTo("0.47"));
        }
    }
}
