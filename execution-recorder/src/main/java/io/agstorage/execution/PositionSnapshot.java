package io.agstorage.execution;

import io.agstorage.execution.internal.Validation;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The bot's position in one market at one time. Snapshots are kept as a history; one per (venue, market,
 * time) — storing the same snapshot again never adds a row.
 *
 * <pre>{@code
 * store.storePosition(PositionSnapshot.of("polymarket", "0x123abc", new BigDecimal("40"), new BigDecimal("0.52"))
 *         .withUnrealizedPnl(new BigDecimal("0.80"))
 *         .withStrategyId("mm-btc"));
 * }</pre>
 *
 * @param size signed: long {@code > 0}, short {@code < 0}, flat {@code = 0}
 * @param avgEntryPrice null when flat; otherwise {@code >= 0}
 * @param realizedPnl signed
 * @param unrealizedPnl signed
 * @param strategyId the strategy holding the position; null when not given. Two strategies (or accounts) may each
 *     have a snapshot of one market at the same time
 * @param accountId the account holding it; null when not given
 * @param tags free-form labels (a sorted set, at most 64, each 1 to 256 characters); empty when none
 */
public record PositionSnapshot(
        String venue,
        String market,
        BigDecimal size,
        @Nullable BigDecimal avgEntryPrice,
        BigDecimal realizedPnl,
        BigDecimal unrealizedPnl,
        Instant time,
        @Nullable String strategyId,
        @Nullable String accountId,
        Set<String> tags) {

    public PositionSnapshot {
        venue = Validation.id("position.venue", venue);
        market = Validation.id("position.market", market);
        Validation.signed("position.size", size);
        Validation.optionalNonNegative("position.avgEntryPrice", avgEntryPrice);
        Validation.signed("position.realizedPnl", realizedPnl);
        Validation.signed("position.unrealizedPnl", unrealizedPnl);
        time = Validation.time("position.time", time);
        strategyId = Validation.optionalId("position.strategyId", strategyId);
        accountId = Validation.optionalId("position.accountId", accountId);
        tags = Validation.tags("position.tags", tags);
    }

    /**
     * A snapshot without strategy, account or tags: the constructor of the versions before them, kept so that existing
     * code compiles.
     */
    public PositionSnapshot(
            String venue,
            String market,
            BigDecimal size,
            @Nullable BigDecimal avgEntryPrice,
            BigDecimal realizedPnl,
            BigDecimal unrealizedPnl,
            Instant time) {
        this(venue, market, size, avgEntryPrice, realizedPnl, unrealizedPnl, time, null, null, Set.of());
    }

    /** A snapshot taken now with zero PnL. */
    public static PositionSnapshot of(
            String venue, String market, BigDecimal size, @Nullable BigDecimal avgEntryPrice) {
        return new PositionSnapshot(
                venue, market, size, avgEntryPrice, BigDecimal.ZERO, BigDecimal.ZERO, Validation.now());
    }

    public PositionSnapshot withRealizedPnl(BigDecimal realizedPnl) {
        return new PositionSnapshot(
                venue, market, size, avgEntryPrice, realizedPnl, unrealizedPnl, time, strategyId, accountId, tags);
    }

    public PositionSnapshot withUnrealizedPnl(BigDecimal unrealizedPnl) {
        return new PositionSnapshot(
                venue, market, size, avgEntryPrice, realizedPnl, unrealizedPnl, time, strategyId, accountId, tags);
    }

    public PositionSnapshot withTime(Instant time) {
        return new PositionSnapshot(
                venue, market, size, avgEntryPrice, realizedPnl, unrealizedPnl, time, strategyId, accountId, tags);
    }

    /** The strategy holding the position (null: none). */
    public PositionSnapshot withStrategyId(@Nullable String strategyId) {
        return new PositionSnapshot(
                venue, market, size, avgEntryPrice, realizedPnl, unrealizedPnl, time, strategyId, accountId, tags);
    }

    /** The account holding the position (null: none). */
    public PositionSnapshot withAccountId(@Nullable String accountId) {
        return new PositionSnapshot(
                venue, market, size, avgEntryPrice, realizedPnl, unrealizedPnl, time, strategyId, accountId, tags);
    }

    /** Replaces the tags (null or empty: none). */
    public PositionSnapshot withTags(@Nullable Collection<String> tags) {
        return new PositionSnapshot(
                venue,
                market,
                size,
                avgEntryPrice,
                realizedPnl,
                unrealizedPnl,
                time,
                strategyId,
                accountId,
                tags == null ? Set.of() : new LinkedHashSet<>(tags));
    }
}
