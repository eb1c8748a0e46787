package io.agstorage.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agstorage.core.testing.DatabaseExtension;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Executions as a desk keeps them (issue #14 item 6), against the real Apache-tier TimescaleDB: strategy, account and
 * tags on orders, fills and positions and the queries filtering by them; orders' filled quantity and average fill
 * price kept from their fills (a re-delivered fill counted once); daily stats per strategy and fee currency; realized
 * P&L by average cost against a ledger computed by hand.
 */
class DeskExecutionsIT {

    @RegisterExtension
    static final DatabaseExtension db = DatabaseExtension.apache("desk_it").withEngine();

    private static final Instant T0 = Instant.parse("2026-03-10T10:00:00Z");

    @TempDir
    Path journalDir;

    private ExecutionStore store;
    private String market;

    @BeforeEach
    void openStore(TestInfo info) {
        store = ExecutionStore.builder()
                .storageEngine(db.engine())
                .journalDirectory(journalDir)
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

    private Order limit(Side side, String size, String price) {
        return Order.of("polymarket", market, side, OrderType.LIMIT, d(size))
                .withPrice(d(price))
                .withCreatedAt(T0);
    }

    private Order stored(UUID id) {
        return store.getOrder(id).orElseThrow();
    }

    @Test
    void ordersFillsAndPositionsKeepStrategyAccountAndTagsAndQueriesFilterByThem() {
        Order alpha = limit(Side.BUY, "10", "0.5")
                .withStrategyId("alpha")
                .withAccountId("acct-1")
                .withTags(List.of("quote", "signal:spread"));
        Order beta = limit(Side.SELL, "5", "0.6")
                .withStrategyId("beta")
                .withAccountId("acct-2")
                .withTag("hedge");
        Order plain = limit(Side.BUY, "1", "0.4");
        store.storeOrder(alpha);
        store.storeOrder(beta);
        store.storeOrder(plain);
        Fill alphaFill = Fill.of(alpha, "a-1", d("0.5"), d("10")).withTradeTime(T0.plusSeconds(1));
        Fill betaFill = Fill.of(beta, "b-1", d("0.6"), d("5")).withTradeTime(T0.plusSeconds(2));
        Fill plainFill = Fill.of(plain, "p-1", d("0.4"), d("1")).withTradeTime(T0.plusSeconds(3));
        store.storeFill(alphaFill);
        store.storeFill(betaFill);
        store.storeFill(plainFill);
        PositionSnapshot alphaPos = PositionSnapshot.of("polymarket", market, d("10"), d("0.5"))
                .withTime(T0.plusSeconds(4))
                .withStrategyId("alpha")
                .withAccountId("acct-1")
                .withTags(Set.of("quote"));
        // another strategy's snapshot of the same market at the same instant is a second row, not a duplicate
        PositionSnapshot betaPos = PositionSnapshot.of("polymarket", market, d("-5"), d("0.6"))
                .withTime(T0.plusSeconds(4))
                .withStrategyId("beta");
        store.storePosition(alphaPos);
        store.storePosition(betaPos);
        store.storePosition(betaPos);
        store.flush();

        assertThat(alphaFill.strategyId()).isEqualTo("alpha");
        assertThat(alphaFill.tags()).containsExactly("quote", "signal:spread");
        Instant from = T0.minusSeconds(60);
        Instant to = T0.plusSeconds(60);
        OrderFilters.Builder orders = OrderFilters.builder().market(market);
        assertThat(store.queryOrders(from, to, orders.strategyId("alpha").build()))
                .singleElement()
                .satisfies(o -> {
                    assertThat(o.id()).isEqualTo(alpha.id());
                    assertThat(o.accountId()).isEqualTo("acct-1");
                    assertThat(o.tags()).containsExactly("quote", "signal:spread");
                });
        assertThat(store.queryOrders(
                        from,
                        to,
                        OrderFilters.builder()
                                .market(market)
                                .accountId("acct-2")
                                .build()))
                .extracting(Order::id)
                .containsExactly(beta.id());
        assertThat(store.queryOrders(
                        from,
                        to,
                        OrderFilters.builder().market(market).tags("hedge").build()))
                .extracting(Order::id)
                .containsExactly(beta.id());
        assertThat(store.queryOrders(
                        from,
                        to,
                        OrderFilters.builder()
                                .market(market)
                                .tags("quote", "signal:spread")
                                .build()))
                .extracting(Order::id)
                .containsExactly(alpha.id());
        assertThat(store.queryOrders(
                        from,
                        to,
                        OrderFilters.builder()
                                .market(market)
                                .tags("quote", "hedge")
                                .build()))
                .isEmpty();
        assertThat(store.queryOrders(
                        from, to, OrderFilters.builder().market(market).build()))
                .hasSize(3);

        ExecutionFilters.Builder fills = ExecutionFilters.builder().market(market);
        assertThat(store.queryFills(from, to, fills.strategyId("alpha").build()))
                .containsExactly(alphaFill);
        assertThat(store.queryFills(
                        from,
                        to,
                        ExecutionFilters.builder()
                                .market(market)
                                .accountId("acct-2")
                                .build()))
                .containsExactly(betaFill);
        assertThat(store.queryFills(
                        from,
                        to,
                        ExecutionFilters.builder()
                                .market(market)
                                .tags("signal:spread")
                                .build()))
                .containsExactly(alphaFill);
        assertThat(store.queryFills(
                        from, to, ExecutionFilters.builder().market(market).build()))
                .containsExactly(alphaFill, betaFill, plainFill);
        assertThat(store.queryFills(
                        from,
                        to,
                        ExecutionFilters.builder().market(market).limit(1).build()))
                .containsExactly(alphaFill);

        assertThat(store.queryPositions(
                        from, to, ExecutionFilters.builder().market(market).build()))
                .containsExactly(alphaPos, betaPos);
        assertThat(store.queryPositions(
                        from,
                        to,
                        ExecutionFilters.builder().market(market).tags("quote").build()))
                .containsExactly(alphaPos);
        assertThat(store.queryPositions(
                        from,
                        to,
                        ExecutionFilters.builder()
                                .strategyId("beta")
                                .market(market)
                                .build()))
                .containsExactly(betaPos);
    }

    @Test
    void aFilterValueIsBoundNeverWrittenIntoTheSql() {
        Order o = limit(Side.BUY, "1", "0.5").withStrategyId("x' OR '1'='1").withTag("t'); DROP TABLE fills; --");
        store.storeOrder(o);
        store.storeFill(Fill.of(o, "inj-1", d("0.5"), d("1")).withTradeTime(T0));
        store.flush();
        Instant from = T0.minusSeconds(1);
        Instant to = T0.plusSeconds(1);
        assertThat(store.queryOrders(
                        from,
                        to,
                        OrderFilters.builder().strategyId("x' OR '1'='1").build()))
                .extracting(Order::id)
                .containsExactly(o.id());
        assertThat(store.queryFills(
                        from,
                        to,
                        ExecutionFilters.builder()
                                .tags("t'); DROP TABLE fills; --")
                                .build()))
                .hasSize(1);
        assertThat(store.queryFills(
                        from, to, ExecutionFilters.builder().strategyId("x").build()))
                .isEmpty();
    }

    @Test
    void badStrategyAccountAndTagValuesAreRefusedNamingTheFieldRuleAndValue() {
        Order o = limit(Side.BUY, "1", "0.5");
        assertThatThrownBy(() -> o.withStrategyId(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("order.strategyId must not be blank, was ' '");
        assertThatThrownBy(() -> o.withAccountId("a".repeat(257)))
                .hasMessageStartingWith("order.accountId must be at most 256 characters, was 257 characters");
        assertThatThrownBy(() -> o.withTag("bad\0tag"))
                .hasMessage("order.tags must not contain the NUL character, was 'bad?tag'");
        List<String> many =
                java.util.stream.IntStream.range(0, 65).mapToObj(i -> "t" + i).toList();
        assertThatThrownBy(() -> o.withTags(many)).hasMessage("order.tags must hold at most 64 tags, was 65 tags");
        assertThatThrownBy(() -> Fill.of(o, "t", d("1"), d("1")).withStrategyId(""))
                .hasMessage("fill.strategyId must not be blank, was ''");
        assertThatThrownBy(() -> PositionSnapshot.of("v", "m", d("1"), null).withTags(List.of("")))
                .hasMessage("position.tags must not be blank, was ''");
        assertThatThrownBy(() -> ExecutionFilters.builder().tags(""))
                .hasMessage("filters.tags must not be blank, was ''");
    }

    @Test
    void anOrdersFilledQtyAndAvgFillPriceFollowItsFillsAndARedeliveredFillCountsOnce() {
        Order order = limit(Side.BUY, "100", "0.52").withStrategyId("alpha");
        store.storeOrder(order);
        store.flush();
        assertThat(stored(order.id()).filledQty()).isZero();
        assertThat(stored(order.id()).avgFillPrice()).isNull();

        Fill f1 = Fill.of(order, "fq-1", d("0.52"), d("40")).withTradeTime(T0.plusSeconds(1));
        store.storeFill(f1);
        store.flush();
        assertThat(stored(order.id()).filledQty()).isEqualByComparingTo("40");
        assertThat(stored(order.id()).avgFillPrice()).isEqualByComparingTo("0.52");

        // the venue re-delivers f1 after a reconnect, stamped later (the fill identity of V006: same venue, trade id
        // and order), in a later batch and again in the batch of the next fill
        store.storeFill(f1.withTradeTime(T0.plusSeconds(30)));
        store.flush();
        Fill f2 = Fill.of(order, "fq-2", d("0.51"), d("60")).withTradeTime(T0.plusSeconds(2));
        store.storeFill(f1.withTradeTime(T0.plusSeconds(31)));
        store.storeFill(f2);
        store.storeFill(f2);
        store.flush();
        // 40 + 60 = 100; (0.52 × 40 + 0.51 × 60) / 100 = (20.8 + 30.6) / 100 = 0.514
        Order filled = stored(order.id());
        assertThat(filled.filledQty()).isEqualByComparingTo("100");
        assertThat(filled.avgFillPrice()).isEqualByComparingTo("0.514");
        assertThat(store.queryOrders(
                        T0,
                        T0.plusSeconds(1),
                        OrderFilters.builder().market(market).build()))
                .singleElement()
                .satisfies(o -> {
                    assertThat(o.filledQty()).isEqualByComparingTo("100");
                    assertThat(o.avgFillPrice()).isEqualByComparingTo("0.514");
                });
        assertThat(db.queryLong("SELECT count(*) FROM \"" + db.schema() + "\".orders WHERE id = '" + order.id()
                        + "' AND filled_qty = 100 AND avg_fill_price = 0.514"))
                .isEqualTo(1);

        // a later status of a fill does not count it again; a failed settlement takes it out
        store.storeFill(f1.withSettlementStatus(SettlementStatus.MINED));
        store.flush();
        assertThat(stored(order.id()).filledQty()).isEqualByComparingTo("100");
        store.storeFill(f2.withSettlementStatus(SettlementStatus.FAILED));
        store.flush();
        assertThat(stored(order.id()).filledQty()).isEqualByComparingTo("40");
        assertThat(stored(order.id()).avgFillPrice()).isEqualByComparingTo("0.52");
        store.storeFill(f2.withSettlementStatus(SettlementStatus.FAILED));
        store.flush();
        assertThat(stored(order.id()).filledQty()).isEqualByComparingTo("40");

        // a status change of the order (its row upserted) keeps the fill progress
        store.updateOrderStatus(order.id(), OrderStatus.ACCEPTED);
        store.storeOrder(stored(order.id()).withStatus(OrderStatus.PARTIALLY_FILLED));
        store.flush();
        assertThat(stored(order.id()).filledQty()).isEqualByComparingTo("40");
        assertThat(stored(order.id()).status()).isEqualTo(OrderStatus.PARTIALLY_FILLED);
    }

    @Test
    void anAverageFillPriceThatDoesNotTerminateIsRoundedTo18DecimalPlaces(@TempDir Path otherJournal) {
        Order order = limit(Side.BUY, "10", "0.6");
        store.storeOrder(order);
        store.storeFill(Fill.of(order, "avg-1", d("0.5"), d("1")).withTradeTime(T0));
        store.storeFill(Fill.of(order, "avg-2", d("0.6"), d("2")).withTradeTime(T0.plusSeconds(1)));
        store.flush();
        // (0.5 × 1 + 0.6 × 2) / 3 = 1.7 / 3 = 0.5666…
        assertThat(stored(order.id()).avgFillPrice()).isEqualTo(d("0.566666666666666667"));
        // and a store opening on it (which loads the open orders) accepts it
        try (ExecutionStore next = ExecutionStore.builder()
                .storageEngine(db.engine())
                .journalDirectory(otherJournal)
                .build()) {
            assertThat(next.getOrder(order.id()).orElseThrow().filledQty()).isEqualByComparingTo("3");
        }
    }

    @Test
    void twoProcessesReportingTheSameFillsAtOnceCountEachFillOnce(@TempDir Path otherJournal) throws Exception {
        Order order = limit(Side.BUY, "100000", "0.5");
        store.storeOrder(order);
        store.flush();
        // two bot processes (two stores, two journals, small batches) receive the same 300 trades at the same time:
        // their transactions race on the same fill keys and the same order row
        List<Fill> fills = java.util.stream.IntStream.range(0, 300)
                .mapToObj(i -> Fill.of(order, "race-" + i, d("0.5"), d("1")).withTradeTime(T0.plusMillis(i)))
                .toList();
        try (ExecutionStore other = ExecutionStore.builder()
                .storageEngine(db.engine())
                .journalDirectory(otherJournal)
                .batchSize(7)
                .build()) {
            java.util.concurrent.CompletableFuture<Void> a =
                    java.util.concurrent.CompletableFuture.runAsync(() -> fills.forEach(store::storeFill));
            java.util.concurrent.CompletableFuture<Void> b =
                    java.util.concurrent.CompletableFuture.runAsync(() -> fills.forEach(other::storeFill));
            a.get(60, java.util.concurrent.TimeUnit.SECONDS);
            b.get(60, java.util.concurrent.TimeUnit.SECONDS);
            store.flush();
            other.flush();
        }
        assertThat(store.queryFillsByOrder(order.id())).hasSize(300);
        assertThat(stored(order.id()).filledQty()).isEqualByComparingTo("300");
        assertThat(stored(order.id()).avgFillPrice()).isEqualByComparingTo("0.5");
    }

    @Test
    void aFillStoredBeforeItsOrderCountsOnceTheOrderArrives() {
        Order order = limit(Side.SELL, "10", "0.7");
        store.storeFill(Fill.of(order, "early-1", d("0.7"), d("4")).withTradeTime(T0));
        store.flush();
        assertThat(store.getOrder(order.id())).isEmpty();
        store.storeOrder(order);
        store.flush();
        assertThat(stored(order.id()).filledQty()).isEqualByComparingTo("4");
        store.storeFill(Fill.of(order, "early-2", d("0.8"), d("6")).withTradeTime(T0.plusSeconds(1)));
        store.flush();
        // 4 + 6 = 10; (0.7 × 4 + 0.8 × 6) / 10 = (2.8 + 4.8) / 10 = 0.76
        assertThat(stored(order.id()).filledQty()).isEqualByComparingTo("10");
        assertThat(stored(order.id()).avgFillPrice()).isEqualByComparingTo("0.76");
    }

    @Test
    void aFillWhoseOrderUpdateIsRefusedIsDeadLetteredWithItAndTheRestOfTheBatchIsWritten() {
        // the fill and its order's fill progress are one statement: when the database refuses the order's update
        // (here a constraint an operator added), the fill is not stored either
        String orders = "\"" + db.schema() + "\".orders";
        Order order = limit(Side.BUY, "10", "0.5").withStrategyId("alpha").withTag("t");
        Order other = limit(Side.BUY, "10", "0.5");
        store.storeOrder(order);
        store.storeOrder(other);
        store.flush();
        db.execute("ALTER TABLE " + orders + " ADD CONSTRAINT h3_not_overfilled CHECK (filled_qty <= size)");
        try {
            long deadBefore = store.stats().deadLettered();
            store.storeFill(Fill.of(order, "over-1", d("0.5"), d("11")).withTradeTime(T0));
            store.storeFill(Fill.of(other, "fine-1", d("0.5"), d("3")).withTradeTime(T0));
            store.flush();
            assertThat(store.stats().deadLettered() - deadBefore).isEqualTo(1);
            assertThat(store.queryFillsByOrder(order.id())).isEmpty();
            assertThat(stored(order.id()).filledQty()).isZero();
            assertThat(store.queryFillsByOrder(other.id())).hasSize(1);
            assertThat(stored(other.id()).filledQty()).isEqualByComparingTo("3");
        } finally {
            db.execute("ALTER TABLE " + orders + " DROP CONSTRAINT h3_not_overfilled");
        }
    }

    @Test
    void dailyFillStatsGroupByStrategyAndFeeCurrencyAndNeverAddFeesOfTwoCurrencies() {
        Order alpha = limit(Side.BUY, "100", "0.5").withStrategyId("alpha");
        Order beta = limit(Side.BUY, "100", "0.5").withStrategyId("beta");
        store.storeOrder(alpha);
        store.storeOrder(beta);
        store.storeFill(Fill.of(alpha, "s-1", d("0.50"), d("10"))
                .withFee(d("0.02"), "USDC")
                .withTradeTime(T0));
        store.storeFill(Fill.of(alpha, "s-2", d("0.60"), d("10"))
                .withFee(d("-0.01"), "USDC")
                .withTradeTime(T0.plusSeconds(1)));
        store.storeFill(Fill.of(alpha, "s-3", d("0.40"), d("5"))
                .withFee(d("0.5"), "POL")
                .withTradeTime(T0.plusSeconds(2)));
        store.storeFill(Fill.of(alpha, "s-4", d("0.40"), d("5")).withTradeTime(T0.plusSeconds(3)));
        store.storeFill(Fill.of(beta, "s-5", d("0.70"), d("2"))
                .withFee(d("0.03"), "USDC")
                .withTradeTime(T0.plusSeconds(4)));
        store.flush();

        List<DailyStats> stats = store.dailyFillStats(T0.minusSeconds(60), T0.plusSeconds(60)).stream()
                .filter(s -> s.market().equals(market))
                .toList();
        LocalDate day = LocalDate.of(2026, 3, 10);
        // alpha/USDC: s-1 + s-2: volume 20, notional 5.0 + 6.0 = 11.0, fees 0.02 − 0.01 = 0.01, vwap 11 / 20 = 0.55
        // alpha/POL: s-3; alpha/no currency: s-4 (fee 0); beta/USDC: s-5. Ordered by strategy, then currency, nulls
        // first.
        assertThat(stats)
                .extracting(
                        DailyStats::strategyId,
                        DailyStats::feeCurrency,
                        DailyStats::count,
                        s -> s.volume().stripTrailingZeros().toPlainString(),
                        s -> s.fees().stripTrailingZeros().toPlainString(),
                        s -> s.vwap().toPlainString())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("alpha", null, 1L, "5", "0", "0.4"),
                        org.assertj.core.groups.Tuple.tuple("alpha", "POL", 1L, "5", "0.5", "0.4"),
                        org.assertj.core.groups.Tuple.tuple("alpha", "USDC", 2L, "20", "0.01", "0.55"),
                        org.assertj.core.groups.Tuple.tuple("beta", "USDC", 1L, "2", "0.03", "0.7"));
        assertThat(stats).allSatisfy(s -> assertThat(s.day()).isEqualTo(day));

        List<DailyStats> orders = store.dailyOrderStats(T0.minusSeconds(60), T0.plusSeconds(60)).stream()
                .filter(s -> s.market().equals(market))
                .toList();
        assertThat(orders).extracting(DailyStats::strategyId).containsExactly("alpha", "beta");
        assertThat(orders).extracting(DailyStats::feeCurrency).containsOnlyNulls();
    }

    @Test
    void realizedPnlByAverageCostMatchesALedgerComputedByHand() {
        Instant from = T0;
        Instant to = T0.plusSeconds(86_400);
        Order alpha = limit(Side.BUY, "1000", "0.5").withStrategyId("alpha");
        Order beta = limit(Side.SELL, "1000", "0.5").withStrategyId("beta");
        Order none = limit(Side.BUY, "1000", "0.5");
        Order gamma = limit(Side.BUY, "1000", "0.5").withStrategyId("gamma");
        store.storeOrder(alpha);
        store.storeOrder(beta);
        store.storeOrder(none);
        store.storeOrder(gamma);
        int[] n = {0};
        java.util.function.BiConsumer<Fill, Long> fill =
                (f, secs) -> store.storeFill(f.withTradeTime(T0.plusSeconds(secs)));
        // alpha, by hand (position q, average cost c; realized R):
        //   before `from`: BUY 10 @ 0.40 (fee 1.00 USDC, not in range)  q = 10,  c = 0.40
        fill.accept(alphaFill(alpha, n, "BUY", "0.40", "10").withFee(d("1.00"), "USDC"), -3_600L);
        //   BUY 30 @ 0.60 (fee 0.03 USDC)    q = 40,  c = (10 × 0.40 + 30 × 0.60) / 40 = (4 + 18) / 40 = 0.55
        fill.accept(alphaFill(alpha, n, "BUY", "0.60", "30").withFee(d("0.03"), "USDC"), 60L);
        //   SELL 20 @ 0.70 (fee −0.01 USDC)  R += (0.70 − 0.55) × 20 = 3.00;            q = 20,  c = 0.55
        fill.accept(alphaFill(alpha, n, "SELL", "0.70", "20").withFee(d("-0.01"), "USDC"), 120L);
        //   SELL 50 @ 0.50 (fee 0.02 USDC)   closes 20: R += (0.50 − 0.55) × 20 = −1.00;
        //                                    flips: the other 30 open short at 0.50:    q = −30, c = 0.50
        fill.accept(alphaFill(alpha, n, "SELL", "0.50", "50").withFee(d("0.02"), "USDC"), 180L);
        //   SELL 10 @ 0.56 (fee 0.5 POL)     adds to the short: c = (30 × 0.50 + 10 × 0.56) / 40 = 20.6 / 40 = 0.515
        //                                                                                q = −40
        fill.accept(alphaFill(alpha, n, "SELL", "0.56", "10").withFee(d("0.5"), "POL"), 240L);
        //   BUY 40 @ 0.415 (fee 0.04 USDC)   covers: R += (0.515 − 0.415) × 40 = 4.00;   q = 0 (flat)
        fill.accept(alphaFill(alpha, n, "BUY", "0.415", "40").withFee(d("0.04"), "USDC"), 300L);
        //   BUY 5 @ 0.30                     q = 5,   c = 0.30
        fill.accept(alphaFill(alpha, n, "BUY", "0.30", "5"), 360L);
        //   SELL 5 @ 0.90 whose settlement FAILED: no trade, ignored
        fill.accept(alphaFill(alpha, n, "SELL", "0.90", "5").withSettlementStatus(SettlementStatus.FAILED), 420L);
        //   SELL 5 @ 0.99 after `to`: not in range, ignored
        fill.accept(alphaFill(alpha, n, "SELL", "0.99", "5"), 90_000L);
        //   R = 3.00 − 1.00 + 4.00 = 6.00; fills 6; volume 30 + 20 + 50 + 10 + 40 + 5 = 155;
        //   fees USDC 0.03 − 0.01 + 0.02 + 0.04 = 0.08, POL 0.5; ends long 5 at 0.30
        // beta: SELL 10 @ 0.50 opens a short, BUY 10 @ 0.45 covers it: R = (0.50 − 0.45) × 10 = 0.50, flat
        fill.accept(Fill.of(beta, "beta-1", d("0.50"), d("10")), 100L);
        fill.accept(
                Fill.of(beta.id(), "polymarket", market, "beta-2", Side.BUY, d("0.45"), d("10"))
                        .withStrategyId("beta"),
                200L);
        // no strategy: BUY 1 @ 0.5 opens, realizes nothing
        fill.accept(Fill.of(none, "none-1", d("0.5"), d("1")), 50L);
        // gamma traded only before `from`: not in the result
        fill.accept(Fill.of(gamma, "gamma-1", d("0.5"), d("1")), -60L);
        store.flush();

        List<RealizedPnl> pnl = store.realizedPnl(from, to).stream()
                .filter(p -> p.market().equals(market))
                .toList();
        assertThat(pnl).extracting(RealizedPnl::strategyId).containsExactly(null, "alpha", "beta");
        RealizedPnl none0 = pnl.get(0);
        assertThat(none0.realizedPnl()).isEqualByComparingTo("0");
        assertThat(none0.position()).isEqualByComparingTo("1");
        assertThat(none0.avgCost()).isEqualByComparingTo("0.5");
        assertThat(none0.fees()).isEmpty();

        RealizedPnl a = pnl.get(1);
        assertThat(a.venue()).isEqualTo("polymarket");
        assertThat(a.realizedPnl()).isEqualByComparingTo("6.00");
        assertThat(a.fills()).isEqualTo(6);
        assertThat(a.volume()).isEqualByComparingTo("155");
        assertThat(a.fees()).containsOnlyKeys("USDC", "POL");
        assertThat(a.fees().get("USDC")).isEqualByComparingTo("0.08");
        assertThat(a.fees().get("POL")).isEqualByComparingTo("0.5");
        assertThat(a.position()).isEqualByComparingTo("5");
        assertThat(a.avgCost()).isEqualByComparingTo("0.30");

        RealizedPnl b = pnl.get(2);
        assertThat(b.realizedPnl()).isEqualByComparingTo("0.50");
        assertThat(b.position()).isEqualByComparingTo("0");
        assertThat(b.avgCost()).isNull();
        assertThat(b.fees()).isEqualTo(Map.of());

        // a range that starts after the short opened carries its cost in: only the cover (0.515 − 0.415) × 40 = 4.00
        // and the BUY 5 fall in [T0 + 300 s, to)
        RealizedPnl late = store.realizedPnl(T0.plusSeconds(300), to).stream()
                .filter(p -> p.market().equals(market) && "alpha".equals(p.strategyId()))
                .findFirst()
                .orElseThrow();
        assertThat(late.realizedPnl()).isEqualByComparingTo("4.00");
        assertThat(late.fills()).isEqualTo(2);
        assertThat(late.fees()).containsOnlyKeys("USDC");
    }

    private static Fill alphaFill(Order alpha, int[] n, String side, String price, String size) {
        return Fill.of(
                        alpha.id(),
                        alpha.venue(),
                        alpha.market(),
                        "alpha-" + (++n[0]),
                        Side.valueOf(side),
                        d(price),
                        d(size))
                .withStrategyId(alpha.strategyId());
    }

    @Test
    void upgradingASchemaOfTheVersionBeforeBackfillsFillProgressAndKeepsEveryRow() {
        String schema = db.newSchema("desk_upgrade");
        String s = "\"" + schema + "\"";
        io.agstorage.core.StorageEngine.create(db.database().config(schema).build())
                .close();
        // the schema as V008 left it
        db.execute("DROP INDEX " + s + ".fill_keys_order_id_idx");
        db.execute("DROP INDEX " + s + ".positions_identity_key");
        db.execute("DROP INDEX " + s + ".positions_venue_market_time_key");
        db.execute("CREATE UNIQUE INDEX positions_venue_market_time_key ON " + s + ".positions (venue, market, "
                + "time DESC)");
        for (String table : List.of("orders", "fills", "positions")) {
            db.execute("ALTER TABLE " + s + "." + table
                    + " DROP COLUMN strategy_id, DROP COLUMN account_id, DROP COLUMN tags");
        }
        db.execute("ALTER TABLE " + s + ".orders DROP COLUMN avg_fill_price, DROP COLUMN filled_notional, "
                + "DROP COLUMN filled_qty");
        db.execute("ALTER TABLE " + s + ".fills_daily_stats DROP CONSTRAINT fills_daily_stats_pkey, "
                + "DROP COLUMN strategy_id, DROP COLUMN fee_currency, ADD PRIMARY KEY (venue, market, side, bucket)");
        db.execute("DELETE FROM " + s + ".schema_migrations WHERE version = 9");
        // rows the previous version wrote: an order with three fills (one whose settlement failed), a snapshot, a
        // rollup row
        UUID id = UUID.randomUUID();
        db.execute("INSERT INTO " + s + ".orders (id, venue, market, side, order_type, time_in_force, price, size, "
                + "status, created_at, updated_at) VALUES ('" + id + "', 'polymarket', 'm', 'BUY', 'LIMIT', 'GTC', "
                + "0.5, 100, 'PARTIALLY_FILLED', '2026-03-02T10:00:00Z', '2026-03-02T10:00:00Z')");
        db.execute("INSERT INTO " + s + ".fills (venue_trade_time, venue, venue_trade_id, order_id, market, side, "
                + "price, size, settlement_status) VALUES "
                + "('2026-03-02T10:00:01Z', 'polymarket', 'u1', '" + id + "', 'm', 'BUY', 0.5, 10, 'CONFIRMED'), "
                + "('2026-03-02T10:00:02Z', 'polymarket', 'u2', '" + id + "', 'm', 'BUY', 0.6, 30, 'MATCHED'), "
                + "('2026-03-02T10:00:03Z', 'polymarket', 'u3', '" + id + "', 'm', 'BUY', 0.9, 50, 'FAILED')");
        db.execute("INSERT INTO " + s + ".positions (time, venue, market, size) VALUES "
                + "('2026-03-02T10:00:04Z', 'polymarket', 'm', 40)");
        db.execute("INSERT INTO " + s + ".fills_daily_stats VALUES ('2026-03-02', 'polymarket', 'm', 'BUY', 2, 40, "
                + "23, 0.575, 0)");

        io.agstorage.core.StorageEngine.create(db.database().config(schema).build())
                .close();

        // 10 + 30 = 40 (the failed fill left out); (0.5 × 10 + 0.6 × 30) / 40 = (5 + 18) / 40 = 0.575
        assertThat(db.queryString("SELECT filled_qty || ' ' || avg_fill_price::float8 FROM " + s + ".orders"))
                .isEqualTo("40 0.575");
        assertThat(db.queryLong("SELECT count(*) FROM " + s + ".fills WHERE strategy_id IS NULL AND tags IS NULL"))
                .isEqualTo(3);
        assertThat(db.queryLong("SELECT count(*) FROM " + s + ".positions")).isEqualTo(1);
        assertThat(db.queryString("SELECT strategy_id || '|' || fee_currency || '|' || fill_count FROM " + s
                        + ".fills_daily_stats"))
                .isEqualTo("||2");
        assertThat(db.queryLong("SELECT count(*) FROM " + s + ".schema_migrations WHERE version = 9"))
                .as("V009 applied again")
                .isEqualTo(1);
    }
}
