package io.agstorage.execution;

import io.agstorage.execution.internal.Validation;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One order of the bot, as it stands: an immutable value; every {@code with*} method returns a copy.
 *
 * <pre>{@code
 * Order order = Order.of("polymarket", "0x123abc", Side.BUY, OrderType.LIMIT, new BigDecimal("100"))
 *         .withPrice(new BigDecimal("0.52"))
 *         .withClientOrderId("mm-42");
 * }</pre>
 *
 * Rules, checked here and refused with an {@link IllegalArgumentException} naming the field, the rule and the
 * value: id, venue, market, side, type, time in force, size, status and times are set; venue, market and the ids
 * are 1 to 256 characters without NUL (a 78-digit token id or a 0x condition id is kept exactly as given; a
 * longer one is refused, never cut); size is {@code > 0}; a price, when set, is {@code > 0}; amounts have at most
 * 18 decimal places. {@link ExecutionStore#storeOrder} also requires a price for a {@link OrderType#LIMIT}
 * order and an expiry for a {@link TimeInForce#GTD} one. Times are kept to the microsecond.
 *
 * @param id ours, unique; {@link #of} draws a random one
 * @param clientOrderId the id we sent the venue, unique when set
 * @param venueOrderId the venue's id, once known
 * @param price the limit price; null for a market order
 * @param createdAt when the order was created
 * @param updatedAt when it last changed
 * @param expiresAt when a {@link TimeInForce#GTD} order expires
 */
public record Order(
        UUID id,
        @Nullable String clientOrderId,
        @Nullable String venueOrderId,
        String venue,
        String market,
        Side side,
        OrderType type,
        TimeInForce timeInForce,
        @Nullable BigDecimal price,
        BigDecimal size,
        OrderStatus status,
        Instant createdAt,
        Instant updatedAt,
        @Nullable Instant expiresAt) {

    public Order {
        Validation.required("order.id", id);
        clientOrderId = Validation.optionalId("order.clientOrderId", clientOrderId);
        venueOrderId = Validation.optionalId("order.venueOrderId", venueOrderId);
        venue = Validation.id("order.venue", venue);
        market = Validation.id("order.market", market);
        Validation.required("order.side", side);
        Validation.required("order.type", type);
        Validation.required("order.timeInForce", timeInForce);
        if (price != null) {
            Validation.positive("order.price", price);
        }
        Validation.positive("order.size", size);
        Validation.required("order.status", status);
        createdAt = Validation.time("order.createdAt", createdAt);
        updatedAt = Validation.time("order.updatedAt", updatedAt);
        expiresAt = Validation.optionalTime("order.expiresAt", expiresAt);
    }

    /** A new order (status {@link OrderStatus#NEW}, good till cancelled, no price yet) created now with a random id. */
    public static Order of(String venue, String market, Side side, OrderType type, BigDecimal size) {
        Instant now = Validation.now();
        return new Order(
                UUID.randomUUID(),
                null,
                null,
                venue,
                market,
                side,
                type,
                TimeInForce.GTC,
                null,
                size,
                OrderStatus.NEW,
                now,
                now,
                null);
    }

    public Order withId(UUID id) {
        return new Order(
                id,
                clientOrderId,
                venueOrderId,
                venue,
                market,
                side,
                type,
                timeInForce,
                price,
                size,
                status,
                createdAt,
                updatedAt,
                expiresAt);
    }

    public Order withClientOrderId(@Nullable String clientOrderId) {
        return new Order(
                id,
                clientOrderId,
                venueOrderId,
                venue,
                market,
                side,
                type,
                timeInForce,
                price,
                size,
                status,
                createdAt,
                updatedAt,
                expiresAt);
    }

    public Order withVenueOrderId(@Nullable String venueOrderId) {
        return new Order(
                id,
                clientOrderId,
                venueOrderId,
                venue,
                market,
                side,
                type,
                timeInForce,
                price,
                size,
                status,
                createdAt,
                updatedAt,
                expiresAt);
    }

    public Order withPrice(@Nullable BigDecimal price) {
        return new Order(
                id,
                clientOrderId,
                venueOrderId,
                venue,
                market,
                side,
                type,
                timeInForce,
                price,
                size,
                status,
                createdAt,
                updatedAt,
                expiresAt);
    }

    public Order withSize(BigDecimal size) {
        return new Order(
                id,
                clientOrderId,
                venueOrderId,
                venue,
                market,
                side,
                type,
                timeInForce,
                price,
                size,
                status,
                createdAt,
                updatedAt,
                expiresAt);
    }

    public Order withTimeInForce(TimeInForce timeInForce) {
        return new Order(
                id,
                clientOrderId,
                venueOrderId,
                venue,
                market,
                side,
                type,
                timeInForce,
                price,
                size,
                status,
                createdAt,
                updatedAt,
                expiresAt);
    }

    /** Good till {@code expiresAt}: sets {@link TimeInForce#GTD} and the expiry. */
    public Order withExpiresAt(Instant expiresAt) {
        return new Order(
                id,
                clientOrderId,
                venueOrderId,
                venue,
                market,
                side,
                type,
                TimeInForce.GTD,
                price,
                size,
                status,
                createdAt,
                updatedAt,
                expiresAt);
    }

    /** A copy with this status; the store checks the transition when it records it. */
    public Order withStatus(OrderStatus status) {
        return new Order(
                id,
                clientOrderId,
                venueOrderId,
                venue,
                market,
                side,
                type,
                timeInForce,
                price,
                size,
                status,
                createdAt,
                updatedAt,
                expiresAt);
    }

    /** Sets the creation time, and the update time too when it was earlier. */
    public Order withCreatedAt(Instant createdAt) {
        Instant updated = updatedAt.isBefore(createdAt) ? createdAt : updatedAt;
        return new Order(
                id,
                clientOrderId,
                venueOrderId,
                venue,
                market,
                side,
                type,
                timeInForce,
                price,
                size,
                status,
                createdAt,
                updated,
                expiresAt);
    }

    public Order withUpdatedAt(Instant updatedAt) {
        return new Order(
                id,
                clientOrderId,
                venueOrderId,
                venue,
                market,
                side,
                type,
                timeInForce,
                price,
                size,
                status,
                createdAt,
                updatedAt,
                expiresAt);
    }

    /** A copy with the same fields but another status, updated at {@code time}. */
    Order transitioned(OrderStatus next, Instant time) {
        return new Order(
                id,
                clientOrderId,
                venueOrderId,
                venue,
                market,
                side,
                type,
                timeInForce,
                price,
                size,
                next,
                createdAt,
                time,
                expiresAt);
    }
}
