package io.agstorage.execution;

import io.agstorage.execution.internal.Validation;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One execution of one of our orders. A fill is identified by (venue, venue trade id, order id), whatever its trade
 * time: a trade reported again — re-delivered by the venue after a reconnect, replayed from the journal, or built
 * again with {@link #of(Order, String, BigDecimal, BigDecimal)}, which stamps it with the current time — is stored
 * once, at the trade time of its first report, and keeps that report's price, size and fee; only a later
 * {@link SettlementStatus} (matched, then mined, then confirmed or failed) updates the stored fill. One venue trade
 * that fills two of our orders gives two fills, and the same trade id on two venues is two trades.
 *
 * <pre>{@code
 * Fill fill = Fill.of(order.id(), "polymarket", "0x123abc", "trade-981", Side.BUY,
 *                 new BigDecimal("0.52"), new BigDecimal("40"))
 *         .withFee(new BigDecimal("-0.01"), "USDC")      // signed: a maker rebate is negative
 *         .withLiquidity(Liquidity.MAKER)
 *         .withStrategyId("mm-btc");                     // Fill.of(order, ...) takes the order's
 * }</pre>
 *
 * Rules (an {@link IllegalArgumentException} names the field, the rule and the value): order id, venue,
 * market, venue trade id, side, price, size, fee, trade time and settlement status are set; text fields are 1
 * to 256 characters without NUL; price and size are {@code > 0}; amounts have at most 18 decimal places. A fill
 * whose order the store has never seen is stored all the same and listed by
 * {@link ExecutionStore#queryFillsForUnknownOrders}.
 *
 * @param fee signed; negative is a rebate
 * @param feeCurrency e.g. {@code USDC}; null when unknown
 * @param liquidity maker or taker; null when unknown
 * @param tradeTime the venue's time of the trade; for a trade stored before, the first report's time is kept
 * @param strategyId the strategy whose order this fills; null when not given. {@link #of(Order, String, BigDecimal,
 *     BigDecimal)} takes the order's. Realized P&amp;L ({@link ExecutionStore#realizedPnl}) is kept per strategy
 * @param accountId the account the trade settles in; null when not given. {@link #of(Order, String, BigDecimal,
 *     BigDecimal)} takes the order's
 * @param tags free-form labels (a sorted set, at most 64, each 1 to 256 characters); empty when none.
 *     {@link #of(Order, String, BigDecimal, BigDecimal)} takes the order's
 */
public record Fill(
        UUID orderId,
        String venue,
        String market,
        String venueTradeId,
        Side side,
        BigDecimal price,
        BigDecimal size,
        BigDecimal fee,
        @Nullable String feeCurrency,
        @Nullable Liquidity liquidity,
        Instant tradeTime,
        SettlementStatus settlementStatus,
        @Nullable String strategyId,
        @Nullable String accountId,
        Set<String> tags) {

    public Fill {
        Validation.required("fill.orderId", orderId);
        venue = Validation.id("fill.venue", venue);
        market = Validation.id("fill.market", market);
        venueTradeId = Validation.id("fill.venueTradeId", venueTradeId);
        Validation.required("fill.side", side);
        Validation.positive("fill.price", price);
        Validation.positive("fill.size", size);
        Validation.signed("fill.fee", fee);
        feeCurrency = Validation.optionalId("fill.feeCurrency", feeCurrency);
        tradeTime = Validation.time("fill.tradeTime", tradeTime);
        Validation.required("fill.settlementStatus", settlementStatus);
        strategyId = Validation.optionalId("fill.strategyId", strategyId);
        accountId = Validation.optionalId("fill.accountId", accountId);
        tags = Validation.tags("fill.tags", tags);
    }

    /**
     * A fill without strategy, account or tags: the constructor of the versions before them, kept so that existing
     * code compiles.
     */
    public Fill(
            UUID orderId,
            String venue,
            String market,
            String venueTradeId,
            Side side,
            BigDecimal price,
            BigDecimal size,
            BigDecimal fee,
            @Nullable String feeCurrency,
            @Nullable Liquidity liquidity,
            Instant tradeTime,
            SettlementStatus settlementStatus) {
        this(
                orderId,
                venue,
                market,
                venueTradeId,
                side,
                price,
                size,
                fee,
                feeCurrency,
                liquidity,
                tradeTime,
                settlementStatus,
                null,
                null,
                Set.of());
    }

    /**
     * A fill traded now, without fee, status {@link SettlementStatus#MATCHED}. "Now" is when this is called: set the
     * venue's time with {@link #withTradeTime} when the venue reports one. A later report of the same trade, stamped
     * later, is still stored as this fill.
     */
    public static Fill of(
            UUID orderId,
            String venue,
            String market,
            String venueTradeId,
            Side side,
            BigDecimal price,
            BigDecimal size) {
        return new Fill(
                orderId,
                venue,
                market,
                venueTradeId,
                side,
                price,
                size,
                BigDecimal.ZERO,
                null,
                null,
                Validation.now(),
                SettlementStatus.MATCHED);
    }

    /** A fill of {@code order}: its id, venue, market and side, and its strategy, account and tags. */
    public static Fill of(Order order, String venueTradeId, BigDecimal price, BigDecimal size) {
        Draft d = new Draft(of(order.id(), order.venue(), order.market(), venueTradeId, order.side(), price, size));
        d.strategyId = order.strategyId();
        d.accountId = order.accountId();
        d.tags = order.tags();
        return d.build();
    }

    public Fill withFee(BigDecimal fee, @Nullable String feeCurrency) {
        Draft d = new Draft(this);
        d.fee = fee;
        d.feeCurrency = feeCurrency;
        return d.build();
    }

    public Fill withLiquidity(@Nullable Liquidity liquidity) {
        Draft d = new Draft(this);
        d.liquidity = liquidity;
        return d.build();
    }

    public Fill withTradeTime(Instant tradeTime) {
        Draft d = new Draft(this);
        d.tradeTime = tradeTime;
        return d.build();
    }

    public Fill withSettlementStatus(SettlementStatus settlementStatus) {
        Draft d = new Draft(this);
        d.settlementStatus = settlementStatus;
        return d.build();
    }

    public Fill withOrderId(UUID orderId) {
        Draft d = new Draft(this);
        d.orderId = orderId;
        return d.build();
    }

    /** The strategy whose order this fills (null: none). */
    public Fill withStrategyId(@Nullable String strategyId) {
        Draft d = new Draft(this);
        d.strategyId = strategyId;
        return d.build();
    }

    /** The account the trade settles in (null: none). */
    public Fill withAccountId(@Nullable String accountId) {
        Draft d = new Draft(this);
        d.accountId = accountId;
        return d.build();
    }

    /** Replaces the tags (null or empty: none). */
    public Fill withTags(@Nullable Collection<String> tags) {
        Draft d = new Draft(this);
        d.tags = tags == null ? Set.of() : tags;
        return d.build();
    }

    /** Adds one tag to those the fill has. */
    public Fill withTag(String tag) {
        SortedSet<String> more = new TreeSet<>(tags);
        more.add(Validation.id("fill.tags", tag));
        return withTags(more);
    }

    /** price × size. */
    public BigDecimal notional() {
        return price.multiply(size);
    }

    /** A mutable copy of every field, for the {@code with*} methods. */
    private static final class Draft {
        private UUID orderId;
        private final String venue;
        private final String market;
        private final String venueTradeId;
        private final Side side;
        private final BigDecimal price;
        private final BigDecimal size;
        private BigDecimal fee;
        private @Nullable String feeCurrency;
        private @Nullable Liquidity liquidity;
        private Instant tradeTime;
        private SettlementStatus settlementStatus;
        private @Nullable String strategyId;
        private @Nullable String accountId;
        private Collection<String> tags;

        Draft(Fill f) {
            orderId = f.orderId;
            venue = f.venue;
            market = f.market;
            venueTradeId = f.venueTradeId;
            side = f.side;
            price = f.price;
            size = f.size;
            fee = f.fee;
            feeCurrency = f.feeCurrency;
            liquidity = f.liquidity;
            tradeTime = f.tradeTime;
            settlementStatus = f.settlementStatus;
            strategyId = f.strategyId;
            accountId = f.accountId;
            tags = f.tags;
        }

        Fill build() {
            return new Fill(
                    orderId,
                    venue,
                    market,
                    venueTradeId,
                    side,
                    price,
                    size,
                    fee,
                    feeCurrency,
                    liquidity,
                    tradeTime,
                    settlementStatus,
                    strategyId,
                    accountId,
                    new LinkedHashSet<>(tags));
        }
    }
}
