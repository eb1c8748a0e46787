package io.agstorage.execution;

import java.math.BigDecimal;
import java.time.LocalDate;
import org.jspecify.annotations.Nullable;

/**
 * One UTC day of orders or fills in one (venue, market), strategy and — for fills — fee currency: fees in different
 * currencies are never summed together, so the fills of one day, market and strategy paying fees in two currencies
 * are two rows.
 *
 * @param count orders created, or fills traded
 * @param volume Σ size
 * @param notional Σ price × size (orders without a price count in {@code volume} only)
 * @param fees Σ fee, signed, all in {@code feeCurrency} (fills); zero for orders
 * @param vwap Σ(price × size) / Σ size over the rows with a price; null when none has one
 * @param strategyId the strategy of the orders or fills; null for those without one
 * @param feeCurrency the currency of {@code fees}; null for fills without a fee currency, and for orders
 */
public record DailyStats(
        LocalDate day,
        String venue,
        String market,
        long count,
        BigDecimal volume,
        BigDecimal notional,
        BigDecimal fees,
        @Nullable BigDecimal vwap,
        @Nullable String strategyId,
        @Nullable String feeCurrency) {

    /** Stats without strategy or fee currency: the constructor of the versions before them. */
    public DailyStats(
            LocalDate day,
            String venue,
            String market,
            long count,
            BigDecimal volume,
            BigDecimal notional,
            BigDecimal fees,
            @Nullable BigDecimal vwap) {
        this(day, venue, market, count, volume, notional, fees, vwap, null, null);
    }
}
