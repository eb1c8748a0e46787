package io.agstorage.execution.internal;

import io.agstorage.execution.Order;
import io.agstorage.execution.OrderEvent;
import io.agstorage.execution.OrderStatus;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** One journaled change of an order: its new full state, and the event row that records the change. */
public record OrderChange(Order order, UUID eventId, @Nullable OrderStatus previousStatus, @Nullable String reason) {

    public OrderEvent event() {
        return new OrderEvent(eventId, order.id(), order.status(), previousStatus, order.price(), order.size(), order.venueOrderId(),
                reason, order.updatedAt());
    }
}
