package io.agstorage.execution;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One recorded change of an order (a row of {@code order_events}): its first recording, a status transition, or
 * an amendment.
 *
 * @param previousStatus null for the order's first event
 * @param reason why, when the caller said (e.g. a venue's rejection message)
 */
public record OrderEvent(
        UUID eventId,
        UUID orderId,
        OrderStatus status,
        @Nullable OrderStatus previousStatus,
        @Nullable BigDecimal price,
        BigDecimal size,
        @Nullable String venueOrderId,
        @Nullable String reason,
        Instant time) {}
