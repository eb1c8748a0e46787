package io.agstorage.execution;

import io.agstorage.execution.internal.Validation;
import java.math.BigDecimal;
import java.time.Instant;
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
 *         .withLiquidity(Liquidity.MAKER);
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
        SettlementStatus settlementStatus) {

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

    /** A fill of {@code order}: its id, venue, market and side. */
    public static Fill of(Order order, String venueTradeId, BigDecimal price, BigDecimal size) {
        return of(order.id(), order.venue(), order.market(), venueTradeId, order.side(), price, size);
    }

    public Fill withFee(BigDecimal fee, @Nullable String feeCurrency) {
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
                settlementStatus);
    }

    public Fill withLiquidity(@Nullable Liquidity liquidity) {
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
                settlementStatus);
    }

    public Fill withTradeTime(Instant tradeTime) {
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
                settlementStatus);
    }

    public Fill withSettlementStatus(SettlementStatus settlementStatus) {
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
                settlementStatus);
    }

    public Fill withOrderId(UUID orderId) {
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
                settlementStatus);
    }

    /** price × size. */
    public BigDecimal notional() {
        return price.multiply(size);
    }
}
