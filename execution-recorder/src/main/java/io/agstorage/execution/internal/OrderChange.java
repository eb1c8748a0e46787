package io.agstorage.execution.internal;

import io.agstorage.execution.Order;
import io.agstorage.execution.OrderEvent;
import io.agstorage.execution.OrderStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** One journaled change of an order: its new full state, and the event row that records the change. */
public record OrderChange(
        Order order,
        UUID eventId,
        @Nullable OrderStatus previousStatus,
        @Nullable String reason) {

    /**
     * A change whose event id is derived from (order id, status, update time): the same change stored twice — by a
     * retry, a replay, or a bot that stores the same order again after a restart — is the same event row.
     */
    public static OrderChange of(Order order, @Nullable OrderStatus previousStatus, @Nullable String reason) {
        return new OrderChange(order, eventId(order), previousStatus, reason);
    }

    static UUID eventId(Order order) {
        Instant t = order.updatedAt();
        String key = order.id() + "|" + order.status() + "|" + t.getEpochSecond() + "." + t.getNano();
        return UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8));
    }

    public OrderEvent event() {
        return new OrderEvent(
                eventId,
                order.id(),
                order.status(),
                previousStatus,
                order.price(),
                order.size(),
                order.venueOrderId(),
                reason,
                order.updatedAt());
    }
}
