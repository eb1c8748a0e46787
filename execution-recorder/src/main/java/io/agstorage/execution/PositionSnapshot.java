package io.agstorage.execution;

import io.agstorage.execution.internal.Validation;
import java.math.BigDecimal;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The bot's position in one market at one time. Snapshots are kept as a history; one per (venue, market,
 * time) — storing the same snapshot again never adds a row.
 *
 * <pre>{@code
 * store.storePosition(PositionSnapshot.of("polymarket", "0x123abc", new BigDecimal("40"), new BigDecimal("0.52"))
 *         .withUnrealizedPnl(new BigDecimal("0.80")));
 * }</pre>
 *
 * @param size signed: long {@code > 0}, short {@code < 0}, flat {@code = 0}
 * @param avgEntryPrice null when flat; otherwise {@code >= 0}
 * @param realizedPnl signed
 * @param unrealizedPnl signed
 */
public record PositionSnapshot(
        String venue,
        String market,
        BigDecimal size,
        @Nullable BigDecimal avgEntryPrice,
        BigDecimal realizedPnl,
        BigDecimal unrealizedPnl,
        Instant time) {

    public PositionSnapshot {
        venue = Validation.id("position.venue", venue);
        market = Validation.id("position.market", market);
        Validation.signed("position.size", size);
        Validation.optionalNonNegative("position.avgEntryPrice", avgEntryPrice);
        Validation.signed("position.realizedPnl", realizedPnl);
        Validation.signed("position.unrealizedPnl", unrealizedPnl);
        time = Validation.time("position.time", time);
    }

    /** A snapshot taken now with zero PnL. */
    public static PositionSnapshot of(
            String venue, String market, BigDecimal size, @Nullable BigDecimal avgEntryPrice) {
        return new PositionSnapshot(
                venue, market, size, avgEntryPrice, BigDecimal.ZERO, BigDecimal.ZERO, Validation.now());
    }

    public PositionSnapshot withRealizedPnl(BigDecimal realizedPnl) {
        return new PositionSnapshot(venue, market, size, avgEntryPrice, realizedPnl, unrealizedPnl, time);
    }

    public PositionSnapshot withUnrealizedPnl(BigDecimal unrealizedPnl) {
        return new PositionSnapshot(venue, market, size, avgEntryPrice, realizedPnl, unrealizedPnl, time);
    }

    public PositionSnapshot withTime(Instant time) {
        return new PositionSnapshot(venue, market, size, avgEntryPrice, realizedPnl, unrealizedPnl, time);
    }
}
