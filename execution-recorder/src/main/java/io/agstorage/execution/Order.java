package io.agstorage.execution;

import io.agstorage.execution.internal.Validation;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One order of the bot, as it stands: an immutable value; every {@code with*} method returns a copy.
 *
 * <pre>{@code
 * Order order = Order.of("polymarket", "0x123abc", Side.BUY, OrderType.LIMIT, new BigDecimal("100"))
 *         .withPrice(new BigDecimal("0.52"))
 *         .withClientOrderId("mm-42")
 *         .withStrategyId("mm-btc")
 *         .withAccountId("desk-1")
 *         .withTags(Set.of("quote", "signal:spread"));
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
 * @param strategyId the strategy that placed it, e.g. {@code mm-btc}; null when not given (1 to 256 characters)
 * @param accountId the account (sub-account, wallet) it trades in; null when not given (1 to 256 characters)
 * @param tags free-form labels, e.g. {@code hedge} or {@code signal:momentum}: a set (sorted, no duplicates, at most
 *     64, each 1 to 256 characters); empty when none. {@link OrderFilters.Builder#tags} filters by them
 * @param filledQty Σ size of the order's fills whose settlement did not fail, kept by the store in the transaction
 *     that stores the fills (each fill counted once, however often it is reported); {@code 0} until a fill is
 *     committed. What a caller sets here is never written: an order read back from the store carries the stored value
 * @param avgFillPrice Σ(price × size) / Σ size over the same fills; null while nothing is filled. Kept by the store,
 *     like {@code filledQty}
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
        @Nullable Instant expiresAt,
        @Nullable String strategyId,
        @Nullable String accountId,
        Set<String> tags,
        BigDecimal filledQty,
        @Nullable BigDecimal avgFillPrice) {

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
        strategyId = Validation.optionalId("order.strategyId", strategyId);
        accountId = Validation.optionalId("order.accountId", accountId);
        tags = Validation.tags("order.tags", tags);
        Validation.optionalNonNegative("order.filledQty", Validation.required("order.filledQty", filledQty));
        Validation.optionalNonNegative("order.avgFillPrice", avgFillPrice);
    }

    /**
     * An order without strategy, account, tags or fills: the constructor of the versions before them, kept so that
     * existing code compiles.
     */
    public Order(
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
        this(
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
                expiresAt,
                null,
                null,
                Set.of(),
                BigDecimal.ZERO,
                null);
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
        Draft d = new Draft(this);
        d.id = id;
        return d.build();
    }

    public Order withClientOrderId(@Nullable String clientOrderId) {
        Draft d = new Draft(this);
        d.clientOrderId = clientOrderId;
        return d.build();
    }

    public Order withVenueOrderId(@Nullable String venueOrderId) {
        Draft d = new Draft(this);
        d.venueOrderId = venueOrderId;
        return d.build();
    }

    public Order withPrice(@Nullable BigDecimal price) {
        Draft d = new Draft(this);
        d.price = price;
        return d.build();
    }

    public Order withSize(BigDecimal size) {
        Draft d = new Draft(this);
        d.size = size;
        return d.build();
    }

    public Order withTimeInForce(TimeInForce timeInForce) {
        Draft d = new Draft(this);
        d.timeInForce = timeInForce;
        return d.build();
    }

    /** Good till {@code expiresAt}: sets {@link TimeInForce#GTD} and the expiry. */
    public Order withExpiresAt(Instant expiresAt) {
        Draft d = new Draft(this);
        d.timeInForce = TimeInForce.GTD;
        d.expiresAt = expiresAt;
        return d.build();
    }

    /** A copy with this status; the store checks the transition when it records it. */
    public Order withStatus(OrderStatus status) {
        Draft d = new Draft(this);
        d.status = status;
        return d.build();
    }

    /** Sets the creation time, and the update time too when it was earlier. */
    public Order withCreatedAt(Instant createdAt) {
        Draft d = new Draft(this);
        d.createdAt = createdAt;
        d.updatedAt = updatedAt.isBefore(createdAt) ? createdAt : updatedAt;
        return d.build();
    }

    public Order withUpdatedAt(Instant updatedAt) {
        Draft d = new Draft(this);
        d.updatedAt = updatedAt;
        return d.build();
    }

    /** The strategy that placed the order (null: none); {@code Fill.of(order, ...)} copies it. */
    public Order withStrategyId(@Nullable String strategyId) {
        Draft d = new Draft(this);
        d.strategyId = strategyId;
        return d.build();
    }

    /** The account the order trades in (null: none); {@code Fill.of(order, ...)} copies it. */
    public Order withAccountId(@Nullable String accountId) {
        Draft d = new Draft(this);
        d.accountId = accountId;
        return d.build();
    }

    /** Replaces the tags (null or empty: none); {@code Fill.of(order, ...)} copies them. */
    public Order withTags(@Nullable Collection<String> tags) {
        Draft d = new Draft(this);
        d.tags = tags == null ? Set.of() : tags;
        return d.build();
    }

    /** Adds one tag to those the order has. */
    public Order withTag(String tag) {
        SortedSet<String> more = new TreeSet<>(tags);
        more.add(Validation.id("order.tags", tag));
        return withTags(more);
    }

    /** A copy with the same fields but another status, updated at {@code time}. */
    Order transitioned(OrderStatus next, Instant time) {
        Draft d = new Draft(this);
        d.status = next;
        d.updatedAt = time;
        return d.build();
    }

    /** A copy with {@code source}'s fill progress (which the store keeps, not the caller). */
    Order withFillProgressOf(Order source) {
        Draft d = new Draft(this);
        d.filledQty = source.filledQty;
        d.avgFillPrice = source.avgFillPrice;
        return d.build();
    }

    /** A mutable copy of every field, for the {@code with*} methods. */
    private static final class Draft {
        private UUID id;
        private @Nullable String clientOrderId;
        private @Nullable String venueOrderId;
        private final String venue;
        private final String market;
        private final Side side;
        private final OrderType type;
        private TimeInForce timeInForce;
        private @Nullable BigDecimal price;
        private BigDecimal size;
        private OrderStatus status;
        private Instant createdAt;
        private Instant updatedAt;
        private @Nullable Instant expiresAt;
        private @Nullable String strategyId;
        private @Nullable String accountId;
        private Collection<String> tags;
        private BigDecimal filledQty;
        private @Nullable BigDecimal avgFillPrice;

        Draft(Order o) {
            id = o.id;
            clientOrderId = o.clientOrderId;
            venueOrderId = o.venueOrderId;
            venue = o.venue;
            market = o.market;
            side = o.side;
            type = o.type;
            timeInForce = o.timeInForce;
            price = o.price;
            size = o.size;
            status = o.status;
            createdAt = o.createdAt;
            updatedAt = o.updatedAt;
            expiresAt = o.expiresAt;
            strategyId = o.strategyId;
            accountId = o.accountId;
            tags = o.tags;
            filledQty = o.filledQty;
            avgFillPrice = o.avgFillPrice;
        }

        Order build() {
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
                    expiresAt,
                    strategyId,
                    accountId,
                    new LinkedHashSet<>(tags),
                    filledQty,
                    avgFillPrice);
        }
    }
}
