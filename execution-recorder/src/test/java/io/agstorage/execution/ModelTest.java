package io.agstorage.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agstorage.execution.internal.OrderChange;
import io.agstorage.execution.internal.RecordCodec;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ModelTest {

    private static final String TOKEN_ID =
            "71321045679252212594626385532706912750332728571942532289631379312455583992563";
    private static final String CONDITION_ID = "0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1";

    private static BigDecimal d(String v) {
        return new BigDecimal(v);
    }

    @Test
    void orderOfTheSeedBuildsANewGoodTillCancelledOrder() {
        Order order = Order.of("polymarket", "0x123abc", Side.BUY, OrderType.LIMIT, d("100"))
                .withPrice(d("0.52"));
        assertThat(order.status()).isEqualTo(OrderStatus.NEW);
        assertThat(order.timeInForce()).isEqualTo(TimeInForce.GTC);
        assertThat(order.price()).isEqualByComparingTo("0.52");
        assertThat(order.id()).isNotNull();
        assertThat(order.createdAt()).isEqualTo(order.updatedAt());
        assertThat(order.createdAt().getNano() % 1_000).isZero();
    }

    @Test
    void marketIdsAreKeptExactlyAsGiven() {
        assertThat(Order.of("polymarket", TOKEN_ID, Side.SELL, OrderType.MARKET, d("5"))
                        .market())
                .isEqualTo(TOKEN_ID)
                .hasSize(77);
        assertThat(Order.of("polymarket", CONDITION_ID, Side.SELL, OrderType.MARKET, d("5"))
                        .market())
                .isEqualTo(CONDITION_ID);
    }

    @Test
    void badOrderFieldsAreRefusedNamingFieldRuleAndValue() {
        assertThatThrownBy(() -> Order.of("polymarket", "m", Side.BUY, OrderType.LIMIT, d("0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("order.size must be > 0, was 0");
        assertThatThrownBy(() -> Order.of("polymarket", "m", Side.BUY, OrderType.LIMIT, d("-3")))
                .hasMessage("order.size must be > 0, was -3");
        assertThatThrownBy(() -> Order.of("polymarket", "m", Side.BUY, OrderType.LIMIT, null))
                .hasMessage("order.size must be set, was null");
        assertThatThrownBy(() -> Order.of("polymarket", "m", Side.BUY, OrderType.LIMIT, d("1"))
                        .withPrice(d("-0.5")))
                .hasMessage("order.price must be > 0, was -0.5");
        assertThatThrownBy(() -> Order.of("polymarket", "m", null, OrderType.LIMIT, d("1")))
                .hasMessage("order.side must be set, was null");
        assertThatThrownBy(() -> Order.of("polymarket", "m", Side.BUY, OrderType.LIMIT, d("1"))
                        .withId(null))
                .hasMessage("order.id must be set, was null");
        assertThatThrownBy(() -> Order.of(" ", "m", Side.BUY, OrderType.LIMIT, d("1")))
                .hasMessage("order.venue must not be blank, was ' '");
        assertThatThrownBy(() -> Order.of("polymarket", "m\0x", Side.BUY, OrderType.LIMIT, d("1")))
                .hasMessage("order.market must not contain the NUL character, was 'm?x'");
        assertThatThrownBy(() -> Order.of("polymarket", "m", Side.BUY, OrderType.LIMIT, d("1.0000000000000000001")))
                .hasMessage("order.size must have at most 18 decimal places, was 1.0000000000000000001");
    }

    @Test
    void aTenKilobyteMarketIdIsRefusedByTheLengthRule() {
        String huge = "0x" + "ab".repeat(5_119);
        assertThat(huge).hasSize(10_240);
        assertThatThrownBy(() -> Order.of("polymarket", huge, Side.BUY, OrderType.LIMIT, d("1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("order.market must be at most 256 characters, was 10240 characters ('0xabab");
        assertThatThrownBy(() -> Fill.of(UUID.randomUUID(), "polymarket", huge, "t", Side.BUY, d("0.5"), d("1")))
                .hasMessageStartingWith("fill.market must be at most 256 characters, was 10240 characters");
    }

    @Test
    void badFillFieldsAreRefusedNamingFieldRuleAndValue() {
        UUID order = UUID.randomUUID();
        assertThatThrownBy(() -> Fill.of(null, "polymarket", "m", "t-1", Side.BUY, d("0.5"), d("1")))
                .hasMessage("fill.orderId must be set, was null");
        assertThatThrownBy(() -> Fill.of(order, "polymarket", "m", null, Side.BUY, d("0.5"), d("1")))
                .hasMessage("fill.venueTradeId must be set, was null");
        assertThatThrownBy(() -> Fill.of(order, "polymarket", "m", "t-1", Side.BUY, null, d("1")))
                .hasMessage("fill.price must be set, was null");
        assertThatThrownBy(() -> Fill.of(order, "polymarket", "m", "t-1", Side.BUY, d("-0.01"), d("1")))
                .hasMessage("fill.price must be > 0, was -0.01");
        assertThatThrownBy(() -> Fill.of(order, "polymarket", "m", "t-1", Side.BUY, d("0.5"), d("0")))
                .hasMessage("fill.size must be > 0, was 0");
        assertThatThrownBy(() -> Fill.of(order, "polymarket", "m", "t-1", Side.BUY, d("0.5"), null))
                .hasMessage("fill.size must be set, was null");
        assertThatThrownBy(() -> Fill.of(order, "polymarket", "m", "t-1", Side.BUY, d("0.5"), d("1"))
                        .withTradeTime(Instant.parse("1969-12-31T23:59:59Z")))
                .hasMessage("fill.tradeTime must be within 1970-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999Z, was "
                        + "1969-12-31T23:59:59Z");
        // a signed fee is fine: rebates are negative
        assertThat(Fill.of(order, "polymarket", "m", "t-1", Side.BUY, d("0.5"), d("1"))
                        .withFee(d("-0.002"), "USDC")
                        .fee())
                .isEqualByComparingTo("-0.002");
    }

    @Test
    void badPositionFieldsAreRefused() {
        assertThatThrownBy(() -> PositionSnapshot.of("polymarket", "m", null, null))
                .hasMessage("position.size must be set, was null");
        assertThatThrownBy(() -> PositionSnapshot.of("polymarket", "m", d("1"), d("-1")))
                .hasMessage("position.avgEntryPrice must be >= 0, was -1");
        assertThat(PositionSnapshot.of("polymarket", "m", d("-40"), d("0.5")).size())
                .isEqualByComparingTo("-40");
    }

    @Test
    void unknownEnumStringsNameTheAcceptedValues() {
        assertThat(Side.parse("buy")).isEqualTo(Side.BUY);
        assertThat(OrderStatus.parse("partially filled")).isEqualTo(OrderStatus.PARTIALLY_FILLED);
        assertThat(TimeInForce.parse("ioc")).isEqualTo(TimeInForce.IOC);
        assertThatThrownBy(() -> Side.parse("HOLD"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("side must be one of BUY, SELL, was 'HOLD'");
        assertThatThrownBy(() -> OrderStatus.parse("done"))
                .hasMessage("status must be one of NEW, ACCEPTED, PARTIALLY_FILLED, FILLED, CANCELLED, REJECTED, "
                        + "EXPIRED, AMENDED, was 'done'");
        assertThatThrownBy(() -> OrderType.parse("stop"))
                .hasMessage("orderType must be one of LIMIT, MARKET, was 'stop'");
        assertThatThrownBy(() -> TimeInForce.parse("day"))
                .hasMessage("timeInForce must be one of GTC, GTD, FOK, FAK, IOC, was 'day'");
        assertThatThrownBy(() -> SettlementStatus.parse("settled"))
                .hasMessage("settlementStatus must be one of MATCHED, MINED, CONFIRMED, FAILED, was 'settled'");
        assertThatThrownBy(() -> Liquidity.parse(null)).hasMessage("liquidity must be one of MAKER, TAKER, was null");
    }

    @Test
    void theStateMachineAllowsTheLifeCycleAndRefusesImpossibleTransitions() {
        assertThat(OrderStatus.NEW.canTransitionTo(OrderStatus.ACCEPTED)).isTrue();
        assertThat(OrderStatus.ACCEPTED.canTransitionTo(OrderStatus.PARTIALLY_FILLED))
                .isTrue();
        assertThat(OrderStatus.PARTIALLY_FILLED.canTransitionTo(OrderStatus.PARTIALLY_FILLED))
                .isTrue();
        assertThat(OrderStatus.PARTIALLY_FILLED.canTransitionTo(OrderStatus.FILLED))
                .isTrue();
        assertThat(OrderStatus.ACCEPTED.canTransitionTo(OrderStatus.AMENDED)).isTrue();
        assertThat(OrderStatus.AMENDED.canTransitionTo(OrderStatus.ACCEPTED)).isTrue();
        assertThat(OrderStatus.NEW.canTransitionTo(OrderStatus.FILLED)).isTrue();
        for (OrderStatus terminal :
                new OrderStatus[] {OrderStatus.FILLED, OrderStatus.CANCELLED, OrderStatus.REJECTED, OrderStatus.EXPIRED
                }) {
            assertThat(terminal.isFinal()).isTrue();
            for (OrderStatus any : OrderStatus.values()) {
                assertThat(terminal.canTransitionTo(any))
                        .as(terminal + " -> " + any)
                        .isFalse();
            }
        }
        assertThatThrownBy(() -> OrderStatus.FILLED.checkTransitionTo(OrderStatus.ACCEPTED))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("order status cannot change from FILLED to ACCEPTED (FILLED is final)");
        assertThatThrownBy(() -> OrderStatus.ACCEPTED.checkTransitionTo(OrderStatus.NEW))
                .hasMessage("order status cannot change from ACCEPTED to NEW (allowed from ACCEPTED: PARTIALLY_FILLED, "
                        + "FILLED, CANCELLED, EXPIRED, AMENDED)");
        assertThatThrownBy(() -> OrderStatus.ACCEPTED.checkTransitionTo(OrderStatus.REJECTED))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void everyRecordSurvivesTheJournalEncodingExactly() {
        Order order = Order.of("polymarket", TOKEN_ID, Side.BUY, OrderType.LIMIT, d("100.000000000000000001"))
                .withPrice(d("0.52"))
                .withClientOrderId("cid'; DROP TABLE orders; --")
                .withExpiresAt(Instant.parse("2030-01-01T00:00:00.123456Z"));
        OrderChange change = new OrderChange(order, UUID.randomUUID(), OrderStatus.NEW, "venue said \"no\"");
        assertThat(RecordCodec.decode(RecordCodec.encode(change))).isEqualTo(change);
        OrderChange first =
                new OrderChange(order.withPrice(null).withClientOrderId(null), UUID.randomUUID(), null, null);
        assertThat(RecordCodec.decode(RecordCodec.encode(first))).isEqualTo(first);
        Fill fill = Fill.of(order, "trade-1", d("0.52"), d("40"))
                .withFee(d("-0.0100"), "USDC")
                .withLiquidity(Liquidity.MAKER)
                .withSettlementStatus(SettlementStatus.MINED);
        assertThat(RecordCodec.decode(RecordCodec.encode(fill))).isEqualTo(fill);
        Fill bare = Fill.of(order, "trade-2", d("0.5"), d("1"));
        assertThat(RecordCodec.decode(RecordCodec.encode(bare))).isEqualTo(bare);
        PositionSnapshot p = PositionSnapshot.of("polymarket", CONDITION_ID, d("-12.5"), null)
                .withRealizedPnl(d("-3.25"));
        assertThat(RecordCodec.decode(RecordCodec.encode(p))).isEqualTo(p);
    }

    @Test
    void orderFiltersRefuseANegativeLimit() {
        assertThatThrownBy(() -> OrderFilters.builder().limit(-1)).hasMessage("filters.limit must be >= 0, was -1");
        assertThat(OrderFilters.builder()
                        .venue("polymarket")
                        .status(OrderStatus.FILLED)
                        .limit(5)
                        .build()
                        .limit())
                .isEqualTo(5);
    }
}
