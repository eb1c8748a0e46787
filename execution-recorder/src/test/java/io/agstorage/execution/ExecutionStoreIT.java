package io.agstorage.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agstorage.core.journal.SyncPolicy;
import io.agstorage.core.testing.DatabaseExtension;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store against the real Apache-tier TimescaleDB: round trips, idempotency, the state machine, bad input, queries.
 */
class ExecutionStoreIT {

    @RegisterExtension
    static final DatabaseExtension db = DatabaseExtension.apache("exec_it").withEngine();

    private static final String TOKEN_ID =
            "71321045679252212594626385532706912750332728571942532289631379312455583992563";
    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");

    @TempDir
    Path journalDir;

    private ExecutionStore store;
    private String market;

    @BeforeEach
    void openStore(TestInfo info) {
        store = ExecutionStore.builder()
                .storageEngine(db.engine())
                .journalDirectory(journalDir)
                .syncPolicy(SyncPolicy.BATCH)
                .batchSize(500)
                .build();
        market = "0x" + Integer.toHexString(info.getDisplayName().hashCode()) + "-" + UUID.randomUUID();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    private static BigDecimal d(String v) {
        return new BigDecimal(v);
    }

    private long count(String sql) {
        return db.queryLong(sql.replace("$s", "\"" + db.schema() + "\"").replace("$m", market));
    }

    private Order limitBuy(String size, String price) {
        return Order.of("polymarket", market, Side.BUY, OrderType.LIMIT, d(size))
                .withPrice(d(price))
                .withCreatedAt(T0);
    }

    @Test
    void anOrderItsStatusChangesAndItsFillsComeBackExactly() {
        Order order = limitBuy("100", "0.52").withClientOrderId("cid-" + market);
        store.storeOrder(order);
        store.updateOrderStatus(order.id(), OrderStatus.ACCEPTED);
        Fill f1 = Fill.of(order, "trade-1", d("0.52"), d("40"))
                .withFee(d("-0.0040"), "USDC")
                .withLiquidity(Liquidity.MAKER)
                .withTradeTime(T0.plusSeconds(1));
        store.storeFill(f1);
        store.updateOrderStatus(order.id(), OrderStatus.PARTIALLY_FILLED);
        Fill f2 = Fill.of(order, "trade-2", d("0.51"), d("60")).withTradeTime(T0.plusSeconds(2));
        store.storeFill(f2);
        Order filled = store.updateOrderStatus(order.id(), OrderStatus.FILLED, "all done");
        store.flush();

        assertThat(filled.status()).isEqualTo(OrderStatus.FILLED);
        // the stored order is the one the store returned, with the fill progress the store keeps from its fills:
        // 40 + 60 = 100 at (0.52 × 40 + 0.51 × 60) / 100 = 0.514
        assertThat(store.getOrder(order.id())).get().satisfies(o -> {
            assertThat(o)
                    .usingRecursiveComparison()
                    .ignoringFields("filledQty", "avgFillPrice")
                    .isEqualTo(filled);
            assertThat(o.filledQty()).isEqualByComparingTo("100");
            assertThat(o.avgFillPrice()).isEqualByComparingTo("0.514");
        });
        List<Order> orders = store.queryOrders(
                T0, T0.plusSeconds(60), OrderFilters.builder().market(market).build());
        assertThat(orders).singleElement().satisfies(o -> {
            assertThat(o.status()).isEqualTo(OrderStatus.FILLED);
            assertThat(o.price()).isEqualByComparingTo("0.52");
            assertThat(o.clientOrderId()).isEqualTo("cid-" + market);
        });
        assertThat(store.queryFillsByOrder(order.id())).containsExactly(f1, f2);
        assertThat(store.queryOrderEvents(order.id()))
                .extracting(OrderEvent::status)
                .containsExactly(
                        OrderStatus.NEW, OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_FILLED, OrderStatus.FILLED);
        assertThat(store.queryOrderEvents(order.id())).last().satisfies(e -> {
            assertThat(e.previousStatus()).isEqualTo(OrderStatus.PARTIALLY_FILLED);
            assertThat(e.reason()).isEqualTo("all done");
        });
        assertThat(store.stats().pending()).isZero();
    }

    @Test
    void storingTheSameFillTwiceKeepsOneRow() {
        Order order = limitBuy("10", "0.4");
        store.storeOrder(order);
        Fill fill = Fill.of(order, "dup-trade", d("0.4"), d("10")).withTradeTime(T0);
        store.storeFill(fill);
        store.flush();
        store.storeFill(fill); // in a later batch
        store.storeFill(fill);
        store.storeFill(fill); // and twice in one batch
        store.storeOrder(order); // the same order again is a no-op
        store.flush();
        assertThat(count("SELECT count(*) FROM $s.fills WHERE market = '$m'")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM $s.orders WHERE market = '$m'")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM $s.order_events e JOIN $s.orders o ON o.id = e.order_id WHERE "
                        + "o.market = '$m'"))
                .isEqualTo(1);
    }

    @Test
    void storingTheSameOrderAgainAfterARestartKeepsOneOrderRowAndOneEvent(@TempDir Path otherJournal) {
        Order order = limitBuy("10", "0.4").withClientOrderId("restart-" + market);
        store.storeOrder(order);
        store.flush();
        // a new process (empty memory, its own journal) stores the same order, fills and positions again
        try (ExecutionStore restarted = ExecutionStore.builder()
                .storageEngine(db.engine())
                .journalDirectory(otherJournal)
                .build()) {
            restarted.storeOrder(order);
            restarted.flush();
        }
        assertThat(count("SELECT count(*) FROM $s.orders WHERE market = '$m'")).isEqualTo(1);
        assertThat(store.queryOrderEvents(order.id()))
                .singleElement()
                .extracting(OrderEvent::status)
                .isEqualTo(OrderStatus.NEW);
    }

    @Test
    void oneVenueTradeFillingTwoOfOurOrdersKeepsTwoRows() {
        Order a = limitBuy("10", "0.4");
        Order b = limitBuy("5", "0.4");
        store.storeOrder(a);
        store.storeOrder(b);
        store.storeFill(Fill.of(a, "shared-trade", d("0.4"), d("10")).withTradeTime(T0));
        store.storeFill(Fill.of(b, "shared-trade", d("0.4"), d("5")).withTradeTime(T0));
        store.flush();
        assertThat(count("SELECT count(*) FROM $s.fills WHERE market = '$m' AND venue_trade_id = 'shared-trade'"))
                .isEqualTo(2);
    }

    @Test
    void aLaterSettlementStatusReplacesTheStoredOneButNeverGoesBack() {
        Order order = limitBuy("10", "0.4");
        store.storeOrder(order);
        Fill matched = Fill.of(order, "settle-1", d("0.4"), d("10")).withTradeTime(T0);
        store.storeFill(matched);
        store.flush();
        store.storeFill(matched.withSettlementStatus(SettlementStatus.MINED));
        store.storeFill(matched.withSettlementStatus(SettlementStatus.CONFIRMED));
        store.flush();
        store.storeFill(matched); // a late duplicate of the first message
        store.flush();
        assertThat(store.queryFillsByOrder(order.id()))
                .singleElement()
                .extracting(Fill::settlementStatus)
                .isEqualTo(SettlementStatus.CONFIRMED);
    }

    @Test
    void anImpossibleTransitionIsRefusedAndNothingIsRecordedForIt() {
        Order order = limitBuy("10", "0.4");
        store.storeOrder(order);
        store.updateOrderStatus(order.id(), OrderStatus.CANCELLED);
        assertThatThrownBy(() -> store.updateOrderStatus(order.id(), OrderStatus.ACCEPTED))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("order status cannot change from CANCELLED to ACCEPTED (CANCELLED is final)");
        assertThatThrownBy(() -> store.storeOrder(order.withStatus(OrderStatus.FILLED)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("order status cannot change from CANCELLED to FILLED (CANCELLED is final)");
        store.flush();
        assertThat(store.queryOrderEvents(order.id()))
                .extracting(OrderEvent::status)
                .containsExactly(OrderStatus.NEW, OrderStatus.CANCELLED);
    }

    @Test
    void theStateMachineIsCheckedAgainstTheDatabaseForOrdersThisStoreHasNotSeen() {
        Order order = limitBuy("10", "0.4");
        store.storeOrder(order);
        store.updateOrderStatus(order.id(), OrderStatus.FILLED);
        store.close();
        store = ExecutionStore.builder()
                .storageEngine(db.engine())
                .journalDirectory(journalDir)
                .build();
        assertThatThrownBy(() -> store.updateOrderStatus(order.id(), OrderStatus.ACCEPTED))
                .hasMessage("order status cannot change from FILLED to ACCEPTED (FILLED is final)");
        UUID unknown = UUID.randomUUID();
        assertThatThrownBy(() -> store.updateOrderStatus(unknown, OrderStatus.ACCEPTED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("orderId " + unknown
                        + " is unknown: store the order with storeOrder before changing its status");
    }

    @Test
    void badInputIsRefusedNamingTheFieldAndNothingElseIsLost() {
        Order good = limitBuy("10", "0.4");
        store.storeOrder(good);
        assertThatThrownBy(() -> store.storeOrder(Order.of("polymarket", market, Side.BUY, OrderType.LIMIT, d("5"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("order.price must be set for a LIMIT order, was null");
        assertThatThrownBy(() -> store.storeOrder(limitBuy("5", "0.3").withTimeInForce(TimeInForce.GTD)))
                .hasMessageStartingWith("order.expiresAt must be set when timeInForce is GTD, was null");
        store.storeOrder(limitBuy("1", "0.3").withClientOrderId("taken-" + market));
        UUID other = UUID.randomUUID();
        assertThatThrownBy(() -> store.storeOrder(limitBuy("2", "0.3")
                        .withClientOrderId("taken-" + market)
                        .withId(other)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "order.clientOrderId must be unique, 'taken-" + market + "' is already used by order ");
        assertThatThrownBy(() -> store.storeFill(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("fill");
        assertThatThrownBy(() -> store.updateOrderStatus(good.id(), OrderStatus.ACCEPTED, "x".repeat(5_000)))
                .hasMessage(
                        "reason must be at most 4096 characters, was 5000 characters ('" + "x".repeat(64) + "...')");
        Fill fill = Fill.of(good, "after-bad-input", d("0.4"), d("10")).withTradeTime(T0);
        store.storeFill(fill);
        store.flush();
        assertThat(store.queryFillsByOrder(good.id())).containsExactly(fill);
        assertThat(count("SELECT count(*) FROM $s.orders WHERE market = '$m'")).isEqualTo(2);
        assertThat(store.stats().deadLettered()).isZero();
    }

    @Test
    void sqlLookingStringsAreStoredVerbatim() {
        String evilMarket = market + "'); DROP TABLE fills; --";
        String evilCid = "x' OR '1'='1";
        String evilTrade = "t\"; DELETE FROM orders; /*";
        String evilReason = "'; TRUNCATE order_events; -- \\ $$ E'\\x00'";
        Order order = Order.of("poly'market", evilMarket, Side.SELL, OrderType.LIMIT, d("3"))
                .withPrice(d("0.9"))
                .withClientOrderId(evilCid + market)
                .withVenueOrderId("0x'--")
                .withCreatedAt(T0);
        store.storeOrder(order);
        store.updateOrderStatus(order.id(), OrderStatus.REJECTED, evilReason);
        Fill fill = Fill.of(order, evilTrade, d("0.9"), d("3"))
                .withFee(d("0"), "US$'DC")
                .withTradeTime(T0);
        store.storeFill(fill);
        PositionSnapshot p = PositionSnapshot.of("poly'market", evilMarket, d("-3"), d("0.9"))
                .withTime(T0);
        store.storePosition(p);
        store.flush();
        assertThat(store.queryOrders(
                        T0,
                        T0.plusSeconds(1),
                        OrderFilters.builder().market(evilMarket).build()))
                .singleElement()
                .satisfies(o -> {
                    assertThat(o.venue()).isEqualTo("poly'market");
                    assertThat(o.market()).isEqualTo(evilMarket);
                    assertThat(o.clientOrderId()).isEqualTo(evilCid + market);
                    assertThat(o.venueOrderId()).isEqualTo("0x'--");
                });
        assertThat(store.queryFillsByOrder(order.id())).containsExactly(fill);
        assertThat(store.queryOrderEvents(order.id()))
                .last()
                .extracting(OrderEvent::reason)
                .isEqualTo(evilReason);
        assertThat(store.getLatestPosition("poly'market", evilMarket)).contains(p);
        assertThat(db.queryLong("SELECT count(*) FROM \"" + db.schema() + "\".fills"))
                .isPositive(); // the table is still there
    }

    @Test
    void marketIdsAreStoredAsGivenAndATenKilobyteOneIsRefused() {
        Order token = Order.of("polymarket", TOKEN_ID + market, Side.BUY, OrderType.MARKET, d("1"))
                .withCreatedAt(T0);
        store.storeOrder(token);
        store.flush();
        assertThat(store.getOrder(token.id()).orElseThrow().market()).isEqualTo(TOKEN_ID + market);
        assertThat(db.queryString("SELECT market FROM \"" + db.schema() + "\".orders WHERE id = '" + token.id() + "'"))
                .isEqualTo(TOKEN_ID + market);
        String huge = "0x" + "f".repeat(10_238);
        assertThatThrownBy(() -> store.storeOrder(Order.of("polymarket", huge, Side.BUY, OrderType.MARKET, d("1"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("order.market must be at most 256 characters, was 10240 characters");
    }

    @Test
    void aFillForAnUnknownOrderIsStoredAndReportedByReconciliation() {
        Order known = limitBuy("1", "0.5");
        store.storeOrder(known);
        UUID ghost = UUID.randomUUID();
        Fill orphan = Fill.of(ghost, "polymarket", market, "orphan-trade", Side.SELL, d("0.61"), d("7"))
                .withTradeTime(T0.plusSeconds(5));
        store.storeFill(Fill.of(known, "known-trade", d("0.5"), d("1")).withTradeTime(T0.plusSeconds(5)));
        store.storeFill(orphan);
        store.flush();
        assertThat(store.queryFillsByOrder(ghost)).containsExactly(orphan);
        assertThat(store.queryFillsForUnknownOrders(T0, T0.plusSeconds(10)))
                .contains(orphan)
                .noneMatch(f -> f.orderId().equals(known.id()));
    }

    @Test
    void queryOrdersFiltersByVenueMarketSideStatusAndLimit() {
        List<Order> stored = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Order o = Order.of(
                            i % 2 == 0 ? "polymarket" : "kalshi",
                            market,
                            i < 3 ? Side.BUY : Side.SELL,
                            OrderType.LIMIT,
                            d("1"))
                    .withPrice(d("0.5"))
                    .withCreatedAt(T0.plusSeconds(i));
            store.storeOrder(o);
            stored.add(o);
        }
        store.updateOrderStatus(stored.get(4).id(), OrderStatus.ACCEPTED);
        store.flush();
        Instant end = T0.plusSeconds(60);
        assertThat(store.queryOrders(
                        T0, end, OrderFilters.builder().market(market).build()))
                .hasSize(6);
        assertThat(store.queryOrders(
                        T0,
                        end,
                        OrderFilters.builder().market(market).venue("kalshi").build()))
                .hasSize(3);
        assertThat(store.queryOrders(
                        T0,
                        end,
                        OrderFilters.builder().market(market).side(Side.SELL).build()))
                .extracting(Order::id)
                .containsExactly(
                        stored.get(3).id(), stored.get(4).id(), stored.get(5).id());
        assertThat(store.queryOrders(
                        T0,
                        end,
                        OrderFilters.builder()
                                .market(market)
                                .status(OrderStatus.ACCEPTED)
                                .build()))
                .extracting(Order::id)
                .containsExactly(stored.get(4).id());
        assertThat(store.queryOrders(
                        T0, end, OrderFilters.builder().market(market).limit(2).build()))
                .extracting(Order::id)
                .containsExactly(stored.get(0).id(), stored.get(1).id());
        assertThat(store.queryOrders(
                        T0.plusSeconds(2),
                        T0.plusSeconds(4),
                        OrderFilters.builder().market(market).build()))
                .hasSize(2);
        assertThatThrownBy(() -> store.queryOrders(end, T0, OrderFilters.none()))
                .hasMessage("end must not be before start, was start=" + end + ", end=" + T0);
    }

    @Test
    void dailyFillStatsSumExactlyAndComputeTheVwap() {
        Order order = limitBuy("100", "0.6");
        store.storeOrder(order);
        Instant day1 = Instant.parse("2026-03-05T08:00:00Z");
        store.storeFill(Fill.of(order, "s1", d("0.50"), d("10"))
                .withFee(d("0.01"), "USDC")
                .withTradeTime(day1));
        store.storeFill(Fill.of(order, "s2", d("0.60"), d("30"))
                .withFee(d("-0.005"), "USDC")
                .withTradeTime(day1.plusSeconds(3_600)));
        store.storeFill(Fill.of(order, "s3", d("0.70"), d("5")).withTradeTime(Instant.parse("2026-03-06T23:59:59Z")));
        store.storeFill(Fill.of(order, "s4", d("0.99"), d("1000"))
                .withTradeTime(day1)
                .withSettlementStatus(SettlementStatus.FAILED));
        store.flush();
        List<DailyStats> stats =
                store
                        .dailyFillStats(Instant.parse("2026-03-05T00:00:00Z"), Instant.parse("2026-03-07T00:00:00Z"))
                        .stream()
                        .filter(s -> s.market().equals(market))
                        .toList();
        assertThat(stats).hasSize(2);
        DailyStats first = stats.get(0);
        assertThat(first.day()).isEqualTo(LocalDate.parse("2026-03-05"));
        assertThat(first.count()).isEqualTo(2);
        assertThat(first.volume()).isEqualByComparingTo("40");
        assertThat(first.notional()).isEqualByComparingTo("23.00"); // 0.5*10 + 0.6*30
        assertThat(first.fees()).isEqualByComparingTo("0.005");
        assertThat(first.vwap()).isEqualByComparingTo("0.575"); // 23 / 40, exactly
        assertThat(stats.get(1).day()).isEqualTo(LocalDate.parse("2026-03-06"));
        assertThat(stats.get(1).vwap()).isEqualByComparingTo("0.70");

        List<DailyStats> orderStats =
                store.dailyOrderStats(T0.truncatedTo(ChronoUnit.DAYS), T0.plus(1, ChronoUnit.DAYS)).stream()
                        .filter(s -> s.market().equals(market))
                        .toList();
        assertThat(orderStats).singleElement().satisfies(s -> {
            assertThat(s.count()).isEqualTo(1);
            assertThat(s.volume()).isEqualByComparingTo("100");
            assertThat(s.notional()).isEqualByComparingTo("60");
            assertThat(s.vwap()).isEqualByComparingTo("0.6");
        });
    }

    @Test
    void positionsComeBackAndTheLatestIsOneIndexProbeNotAScan() throws Exception {
        Instant t = Instant.parse("2026-03-01T00:00:00Z");
        PositionSnapshot latest = null;
        for (int i = 0; i < 20; i++) {
            latest = PositionSnapshot.of("polymarket", market, d(Integer.toString(i * 10)), d("0.5"))
                    .withTime(t.plus(i, ChronoUnit.HOURS))
                    .withRealizedPnl(d("1.5"))
                    .withUnrealizedPnl(d("-0.25"));
            store.storePosition(latest);
        }
        store.storePosition(latest); // duplicate: one row
        store.storePosition(PositionSnapshot.of("kalshi", market, d("-3"), null).withTime(t));
        store.flush();
        assertThat(store.getLatestPosition("polymarket", market)).contains(latest);
        assertThat(store.getLatestPosition("polymarket", market + "-none")).isEmpty();
        assertThat(store.queryPositions(market, t, t.plus(2, ChronoUnit.DAYS))).hasSize(21);
        assertThat(store.queryPositions(market, t, t.plus(3, ChronoUnit.HOURS))).hasSize(4);

        // Fill many (venue, market) pairs over several chunks so the planner has a real choice, then EXPLAIN.
        try (Connection c = db.connect();
                Statement st = c.createStatement()) {
            st.execute("INSERT INTO \"" + db.schema()
                    + "\".positions (time, venue, market, size) SELECT timestamptz '2026-01-01' "
                    + "+ (g % 2000) * interval '1 hour', 'bulk', 'm' || (g / 2000), g FROM "
                    + "generate_series(0, 99999) g");
            st.execute("ANALYZE \"" + db.schema() + "\".positions");
            String plan;
            try (PreparedStatement ps = c.prepareStatement("EXPLAIN " + store.latestPositionSql())) {
                ps.setString(1, "polymarket");
                ps.setString(2, market);
                StringBuilder sb = new StringBuilder();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        sb.append(rs.getString(1)).append('\n');
                    }
                }
                plan = sb.toString();
            }
            System.out.println("EXPLAIN getLatestPosition:\n" + plan);
            assertThat(plan)
                    .contains("Limit")
                    .contains("positions_venue_market_time_key")
                    .doesNotContain("Seq Scan")
                    .doesNotContain("Sort");
        }
    }

    @Test
    void aRecordTheDatabaseRefusesForGoodIsDeadLetteredAndTheRestOfItsBatchIsStored(@TempDir Path otherJournal)
            throws Exception {
        // Two stores (two bot processes) give the same client order id to two different orders: each store alone
        // cannot see it, the database's unique constraint refuses the second one.
        Order first = limitBuy("1", "0.5").withClientOrderId("shared-cid-" + market);
        try (ExecutionStore other = ExecutionStore.builder()
                .storageEngine(db.engine())
                .journalDirectory(otherJournal)
                .build()) {
            other.storeOrder(first);
            other.flush();
        }
        Order clash = limitBuy("2", "0.5").withClientOrderId("shared-cid-" + market);
        Order fine = limitBuy("3", "0.5");
        store.storeOrder(fine);
        store.storeOrder(clash);
        Fill fill = Fill.of(fine, "dead-letter-neighbour", d("0.5"), d("3")).withTradeTime(T0);
        store.storeFill(fill);
        store.flush();
        assertThat(store.stats().deadLettered()).isEqualTo(1);
        assertThat(store.stats().pending()).isZero();
        assertThat(store.getOrder(fine.id())).isPresent();
        assertThat(store.queryFillsByOrder(fine.id())).containsExactly(fill);
        assertThat(count("SELECT count(*) FROM $s.orders WHERE client_order_id = 'shared-cid-$m'"))
                .isEqualTo(1);
        String deadLetters = java.nio.file.Files.readString(journalDir.resolve("dead-letter.log"));
        assertThat(deadLetters).contains("SQLSTATE 23505").contains("orders_client_order_id_key");
        String payload = deadLetters.strip().substring(deadLetters.strip().lastIndexOf('\t') + 1);
        assertThat(io.agstorage.execution.internal.RecordCodec.decode(
                        java.util.Base64.getDecoder().decode(payload)))
                .isInstanceOfSatisfying(
                        io.agstorage.execution.internal.OrderChange.class,
                        c -> assertThat(c.order().id()).isEqualTo(clash.id()));
    }

    @Test
    void aFillTheDatabaseRefusesIsDeadLetteredIntoTheTableAndTheRestOfItsBatchIsWritten() throws Exception {
        Order order = limitBuy("10", "0.5").withStrategyId("dl-strategy").withTag("dl");
        store.storeOrder(order);
        store.flush();
        String fills = "\"" + db.schema() + "\".fills";
        // a rule an operator added: the database refuses the fill (SQLSTATE 23514), the writer cannot know it before
        db.execute("ALTER TABLE " + fills + " ADD CONSTRAINT dl_price_at_most_one CHECK (price <= 1)");
        Fill bad = Fill.of(order, "dl-bad", d("1.5"), d("1")).withTradeTime(T0);
        Fill good = Fill.of(order, "dl-good", d("0.5"), d("2")).withTradeTime(T0.plusSeconds(1));
        long deadBefore = store.stats().deadLettered();
        try {
            store.storeFill(bad);
            store.storeFill(good);
            store.flush();
        } finally {
            db.execute("ALTER TABLE " + fills + " DROP CONSTRAINT dl_price_at_most_one");
        }
        assertThat(store.stats().deadLettered() - deadBefore).isEqualTo(1);
        assertThat(store.queryFillsByOrder(order.id())).containsExactly(good);
        assertThat(store.getOrder(order.id()).orElseThrow().filledQty()).isEqualByComparingTo("2");
        String where = " FROM $s.dead_letters WHERE door = 'execution' AND order_id = '" + order.id() + "'";
        assertThat(count("SELECT count(*)" + where)).isEqualTo(1);
        String row = db.queryString(("SELECT sqlstate || ' ' || (message LIKE '%dl_price_at_most_one%') || ' ' "
                        + "|| (payload->>'kind') || ' ' || (payload->>'venue_trade_id') || ' ' || (payload->>'price') "
                        + "|| ' ' || (payload->>'strategy_id') || ' ' || (payload->'tags'->>0)" + where)
                .replace("$s", "\"" + db.schema() + "\""));
        assertThat(row).isEqualTo("23514 true fill dl-bad 1.5 dl-strategy dl");
        // the payload carries the journal record, so an operator can replay it exactly once the rule is fixed
        String record = db.queryString(("SELECT payload->>'record'" + where).replace("$s", "\"" + db.schema() + "\""));
        assertThat(io.agstorage.execution.internal.RecordCodec.decode(
                        java.util.Base64.getDecoder().decode(record)))
                .isEqualTo(bad);
        // and the local file keeps it too
        assertThat(java.nio.file.Files.readString(journalDir.resolve("dead-letter.log")))
                .contains("dl_price_at_most_one");
    }

    @Test
    void aDeadLetterTheTableCannotTakeYetIsRetriedUntilItCan() {
        Order order = limitBuy("10", "0.5");
        store.storeOrder(order);
        store.flush();
        String s = "\"" + db.schema() + "\"";
        db.execute("ALTER TABLE " + s + ".fills ADD CONSTRAINT dl_retry_price CHECK (price <= 1)");
        // the dead_letters table is missing (SQLSTATE 42P01: not the record's fault) when the fill is refused
        db.execute("ALTER TABLE " + s + ".dead_letters RENAME TO dead_letters_away");
        long retriesBefore = store.stats().retries();
        try {
            store.storeFill(Fill.of(order, "dl-retry", d("2"), d("1")).withTradeTime(T0));
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(20))
                    .until(() -> store.stats().retries() > retriesBefore + 1);
            assertThat(count("SELECT count(*) FROM $s.dead_letters_away WHERE order_id = '" + order.id() + "'"))
                    .isZero();
        } finally {
            db.execute("ALTER TABLE " + s + ".dead_letters_away RENAME TO dead_letters");
        }
        store.flush();
        db.execute("ALTER TABLE " + s + ".fills DROP CONSTRAINT dl_retry_price");
        assertThat(count("SELECT count(*) FROM $s.dead_letters WHERE order_id = '" + order.id() + "'"))
                .isEqualTo(1);
        assertThat(store.queryFillsByOrder(order.id())).isEmpty();
    }

    @Test
    void aFailureThatIsNotTheRecordsFaultIsRetriedNeverDeadLettered() {
        Order order = limitBuy("1", "0.5");
        store.storeOrder(order);
        store.flush();
        String fills = "\"" + db.schema() + "\".fills";
        db.execute("ALTER TABLE " + fills + " RENAME TO fills_away"); // SQLSTATE 42P01 for the writer
        try {
            Fill fill = Fill.of(order, "while-table-missing", d("0.5"), d("1")).withTradeTime(T0);
            store.storeFill(fill);
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(20))
                    .until(() -> store.stats().retries() > 0);
            assertThat(store.stats().deadLettered()).isZero();
            assertThat(store.stats().pending()).isEqualTo(1);
        } finally {
            db.execute("ALTER TABLE \"" + db.schema() + "\".fills_away RENAME TO fills");
        }
        store.flush();
        assertThat(store.queryFillsByOrder(order.id()))
                .extracting(Fill::venueTradeId)
                .containsExactly("while-table-missing");
        assertThat(store.stats().deadLettered()).isZero();
    }

    @Test
    void theStoresHealthIsExposedAsMicrometerMeters() {
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        new ExecutionStoreMetrics(store).bindTo(registry);
        Order order = limitBuy("1", "0.5");
        store.storeOrder(order);
        store.storeFill(Fill.of(order, "metered", d("0.5"), d("1")).withTradeTime(T0));
        store.flush();
        assertThat(registry.get("ag_storage.execution.journaled")
                        .tag("schema", db.schema())
                        .functionCounter()
                        .count())
                .isEqualTo(2);
        assertThat(registry.get("ag_storage.execution.committed")
                        .functionCounter()
                        .count())
                .isEqualTo(2);
        assertThat(registry.get("ag_storage.execution.pending").gauge().value()).isZero();
        assertThat(registry.get("ag_storage.execution.dead_lettered")
                        .functionCounter()
                        .count())
                .isZero();
        assertThat(registry.get("ag_storage.execution.batch.latency")
                        .timeGauge()
                        .value(java.util.concurrent.TimeUnit.MILLISECONDS))
                .isPositive();
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(2))
                .until(() -> registry.get("ag_storage.execution.journal.unsynced")
                                .gauge()
                                .value()
                        == 0);
        assertThat(registry.get("ag_storage.execution.journal.syncs")
                        .functionCounter()
                        .count())
                .isPositive();
    }

    // ---------------------------------------------------------------- the sync policies, seen from the store

    @Test
    void withSyncAlwaysEachCallReturnsOnlyAfterAnFsyncCoveredItsRecord(@TempDir Path otherJournal) {
        try (ExecutionStore always = ExecutionStore.builder()
                .storageEngine(db.engine())
                .journalDirectory(otherJournal)
                .syncPolicy(SyncPolicy.ALWAYS)
                .build()) {
            Order order = limitBuy("100", "0.5");
            always.storeOrder(order);
            assertThat(always.stats().unsynced()).isZero();
            for (int i = 0; i < 20; i++) {
                always.storeFill(Fill.of(order, "always-" + i, d("0.5"), d("1")).withTradeTime(T0));
                assertThat(always.stats().unsynced())
                        .as("records not forced when storeFill returned")
                        .isZero();
            }
            assertThat(always.stats().journalSyncs())
                    .as("one caller at a time: one fsync per call")
                    .isEqualTo(21);
            always.flush();
            assertThat(always.queryFillsByOrder(order.id())).hasSize(20);
        }
    }

    @Test
    void withSyncBatchCallsReturnBeforeTheFsyncAndTheFlusherForcesWithinTheInterval(
            @TempDir Path otherJournal, @TempDir Path slowJournal) {
        // an interval far longer than the test: the call returned, nothing was forced
        try (ExecutionStore slow = ExecutionStore.builder()
                .storageEngine(db.engine())
                .journalDirectory(slowJournal)
                .syncInterval(java.time.Duration.ofSeconds(10))
                .build()) {
            slow.storeFill(Fill.of(UUID.randomUUID(), "polymarket", market, "batch-slow", Side.BUY, d("0.5"), d("1"))
                    .withTradeTime(T0));
            assertThat(slow.stats().unsynced()).isEqualTo(1);
            assertThat(slow.stats().journalSyncs()).isZero();
            slow.flush(); // the database writer does not wait for the fsync
            assertThat(slow.stats().committed()).isEqualTo(1);
            assertThat(slow.stats().unsynced()).isEqualTo(1);
        }
        // the default policy and interval (batch, 5 ms): forced without any further call
        try (ExecutionStore batch = ExecutionStore.builder()
                .storageEngine(db.engine())
                .journalDirectory(otherJournal)
                .build()) {
            Order order = limitBuy("100", "0.5");
            batch.storeOrder(order);
            for (int i = 0; i < 100; i++) {
                batch.storeFill(Fill.of(order, "batch-" + i, d("0.5"), d("1")).withTradeTime(T0));
            }
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(2))
                    .pollInterval(java.time.Duration.ofMillis(5))
                    .until(() -> batch.stats().unsynced() == 0);
            assertThat(batch.stats().journalSyncs()).isPositive().isLessThanOrEqualTo(101);
        }
    }

    @Test
    void aSecondStoreOnTheSameJournalDirectoryIsRefused() {
        assertThatThrownBy(() -> ExecutionStore.builder()
                        .storageEngine(db.engine())
                        .journalDirectory(journalDir)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is in use by another journal");
    }

    @Test
    void closingIsIdempotentAndAClosedStoreRefusesWrites() {
        store.close();
        store.close();
        assertThatThrownBy(
                        () -> store.storeFill(Fill.of(UUID.randomUUID(), "v", market, "t", Side.BUY, d("1"), d("1"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("ExecutionStore is closed");
    }
}
