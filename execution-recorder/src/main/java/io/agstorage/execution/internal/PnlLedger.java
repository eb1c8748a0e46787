package io.agstorage.execution.internal;

import io.agstorage.execution.RealizedPnl;
import io.agstorage.execution.Side;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The average-cost ledger of one (strategy, venue, market), fed its fills in trade order (see {@link RealizedPnl}
 * for the method). Exact but for the average cost, which is a quotient kept to 34 significant digits
 * ({@link MathContext#DECIMAL128}).
 */
final class PnlLedger {

    private final @Nullable String strategyId;
    private final String venue;
    private final String market;
    /** Signed: long > 0, short < 0. */
    private BigDecimal position = BigDecimal.ZERO;
    /** The average cost of the open position; zero when flat. */
    private BigDecimal avgCost = BigDecimal.ZERO;

    private BigDecimal realized = BigDecimal.ZERO;
    private BigDecimal volume = BigDecimal.ZERO;
    private long fills;
    private final TreeMap<String, BigDecimal> fees = new TreeMap<>();

    PnlLedger(@Nullable String strategyId, String venue, String market) {
        this.strategyId = strategyId;
        this.venue = venue;
        this.market = market;
    }

    boolean isFor(@Nullable String strategyId, String venue, String market) {
        return Objects.equals(this.strategyId, strategyId) && this.venue.equals(venue) && this.market.equals(market);
    }

    /**
     * Applies one fill.
     *
     * @param counted whether it is inside the range asked for: its realized P&amp;L, fee and size count
     */
    void fill(
            Side side,
            BigDecimal price,
            BigDecimal size,
            BigDecimal fee,
            @Nullable String feeCurrency,
            boolean counted) {
        BigDecimal signed = side == Side.BUY ? size : size.negate();
        BigDecimal pnl = BigDecimal.ZERO;
        if (position.signum() == 0 || position.signum() == signed.signum()) {
            // opens or adds: the average cost moves to the size-weighted mean
            BigDecimal held = position.abs();
            avgCost = held.multiply(avgCost).add(size.multiply(price)).divide(held.add(size), MathContext.DECIMAL128);
            position = position.add(signed);
        } else {
            BigDecimal closed = size.min(position.abs());
            // long: sold above cost is a gain; short: bought back below cost is a gain
            pnl = position.signum() > 0
                    ? price.subtract(avgCost).multiply(closed)
                    : avgCost.subtract(price).multiply(closed);
            position = position.add(signed);
            if (position.signum() == 0) {
                avgCost = BigDecimal.ZERO;
            } else if (position.signum() == signed.signum()) {
                avgCost = price; // flipped through zero: the rest opens on the other side at this price
            }
        }
        if (counted) {
            realized = realized.add(pnl);
            volume = volume.add(size);
            fills++;
            if (fee.signum() != 0) {
                fees.merge(feeCurrency == null ? "" : feeCurrency, fee, BigDecimal::add);
            }
        }
    }

    RealizedPnl result() {
        fees.values().removeIf(v -> v.signum() == 0);
        return new RealizedPnl(
                strategyId,
                venue,
                market,
                realized,
                fees,
                position,
                position.signum() == 0 ? null : avgCost,
                fills,
                volume);
    }
}
