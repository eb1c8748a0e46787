package io.agstorage.execution;

import java.math.BigDecimal;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The realized profit and loss of one strategy in one (venue, market) over a time range, by the average-cost method
 * ({@link ExecutionStore#realizedPnl}).
 *
 * <p>The fills are replayed in trade-time order (ties by venue trade id, then order id) from the first stored one
 * on, so that the position carried into the range has its average cost. A fill that adds to the position (or opens
 * it) moves the average cost to the size-weighted mean of the old cost and the fill's price; a fill against it
 * realizes {@code (price − average cost) × closed size} for a long position and {@code (average cost − price) ×
 * closed size} for a short one, the average cost staying as it was; a fill larger than the position closes it and
 * opens the rest on the other side at the fill's price. Only fills traded inside the range count in
 * {@code realizedPnl}, {@code fees}, {@code fills} and {@code volume}. Fills whose settlement FAILED are left out.
 *
 * <p>Fees are not subtracted: a fee is in its own currency, which need not be the currency of the prices. They are
 * reported beside the P&amp;L, summed per currency ({@code net = realizedPnl − fees.get(quoteCurrency)} when the fee
 * currency is the quote currency; a negative fee is a rebate and raises it).
 *
 * @param strategyId the fills' strategy; null for fills without one
 * @param realizedPnl gross of fees, in the prices' currency
 * @param fees Σ fee per fee currency of the range's fills, signed; the key {@code ""} holds fees whose currency is
 *     unknown; currencies whose fees are all zero are left out
 * @param position the signed position after the last fill up to the range's end (long {@code > 0}, short {@code < 0})
 * @param avgCost the average cost of that position; null when it is flat
 * @param fills the fills traded in the range
 * @param volume Σ size of those fills
 */
public record RealizedPnl(
        @Nullable String strategyId,
        String venue,
        String market,
        BigDecimal realizedPnl,
        Map<String, BigDecimal> fees,
        BigDecimal position,
        @Nullable BigDecimal avgCost,
        long fills,
        BigDecimal volume) {

    public RealizedPnl {
        fees = Map.copyOf(fees);
    }
}
