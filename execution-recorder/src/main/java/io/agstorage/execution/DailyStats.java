package io.agstorage.execution;

import java.math.BigDecimal;
import java.time.LocalDate;
import org.jspecify.annotations.Nullable;

/**
 * One UTC day of orders or fills in one (venue, market).
 *
 * @param count orders created, or fills traded
 * @param volume Σ size
 * @param notional Σ price × size (orders without a price count in {@code volume} only)
 * @param fees Σ fee, signed (fills); zero for orders
 * @param vwap Σ(price × size) / Σ size over the rows with a price; null when none has one
 */
public record DailyStats(
        LocalDate day,
        String venue,
        String market,
        long count,
        BigDecimal volume,
        BigDecimal notional,
        BigDecimal fees,
        @Nullable BigDecimal vwap) {}
