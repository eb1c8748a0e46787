package io.agstorage.execution;

import io.agstorage.execution.internal.ExecutionWriter.Pending;
import io.agstorage.execution.internal.OrderChange;
import io.agstorage.execution.internal.Validation;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;

/**
 * The execution store's in-memory order state: the orders whose latest change is not committed or not final, which
 * status transitions are checked against, and the client order ids they hold. Each accepted change is journaled
 * while the order's entry is locked, so the changes of one order are serialised. Thread-safe. In this package (not
 * {@code internal}) for {@link Order}'s package-private transition.
 */
final class OrderBook {

    /** An accepted status change: the order as it now stands and the journal sequence of the change. */
    record Transition(Order order, long sequence) {}

    private final ConcurrentHashMap<UUID, Order> orders = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, UUID> clientOrderIds = new ConcurrentHashMap<>();
    private final ToLongFunction<Object> journal;
    private final Function<UUID, Optional<Order>> database;

    /**
     * @param journal journals a record and returns its sequence
     * @param database the stored order, for orders not changed since start: an in-memory lookup
     *     ({@link io.agstorage.execution.internal.KnownOrders}), never a database round trip
     */
    OrderBook(ToLongFunction<Object> journal, Function<UUID, Optional<Order>> database) {
        this.journal = journal;
        this.database = database;
    }

    /** Takes over an order change replayed from the journal at start. */
    void replayed(OrderChange change) {
        Order order = change.order();
        orders.put(order.id(), order);
        if (order.clientOrderId() != null) {
            clientOrderIds.put(order.clientOrderId(), order.id());
        }
    }

    /** The order as this store holds it, or null when it has no change in flight. */
    @Nullable
    Order live(UUID orderId) {
        return orders.get(orderId);
    }

    /**
     * Checks and journals an order (see {@link ExecutionStore#storeOrder}).
     *
     * @return the journal sequence of the change, 0 when the order is stored already
     */
    long store(Order order) {
        if (order.type() == OrderType.LIMIT && order.price() == null) {
            throw new IllegalArgumentException(
                    "order.price must be set for a LIMIT order, was null (order " + order.id() + ")");
        }
        if (order.timeInForce() == TimeInForce.GTD && order.expiresAt() == null) {
            throw new IllegalArgumentException(
                    "order.expiresAt must be set when timeInForce is GTD, was null (order " + order.id() + ")");
        }
        String clientId = order.clientOrderId();
        boolean registered = false;
        if (clientId != null) {
            UUID owner = clientOrderIds.putIfAbsent(clientId, order.id());
            if (owner != null && !owner.equals(order.id())) {
                throw new IllegalArgumentException("order.clientOrderId must be unique, '"
                        + Validation.abbreviate(clientId) + "' is already used by order " + owner);
            }
            registered = owner == null;
        }
        long[] seq = {0};
        try {
            if (order.status() != OrderStatus.NEW && !orders.containsKey(order.id())) {
                // a change of an order this store has not changed since start: check it against the stored state
                database.apply(order.id()).ifPresent(stored -> orders.putIfAbsent(order.id(), stored));
            }
            orders.compute(order.id(), (id, previous) -> {
                // the fill progress is the store's, never the caller's: an order stored again as it was is no change
                Order incoming = previous == null ? order : order.withFillProgressOf(previous);
                if (incoming.equals(previous)) {
                    return previous;
                }
                Order next = incoming;
                OrderStatus from = null;
                if (previous != null) {
                    from = previous.status();
                    if (from != order.status()) {
                        from.checkTransitionTo(order.status());
                    } else if (from.isFinal()) {
                        throw new IllegalStateException(
                                "order " + id + " is " + from + ", which is final: it cannot change any more");
                    }
                    if (!order.updatedAt().isAfter(previous.updatedAt())) {
                        next = incoming.withUpdatedAt(later(previous.updatedAt()));
                    }
                }
                seq[0] = journal.applyAsLong(OrderChange.of(next, from, null));
                return next;
            });
        } catch (RuntimeException e) {
            if (registered) {
                clientOrderIds.remove(clientId, order.id());
            }
            throw e;
        }
        return seq[0];
    }

    /**
     * Checks and journals a status change (see {@code ExecutionStore.updateOrderStatus}).
     *
     * @throws IllegalArgumentException when the order is unknown here and among the stored orders known
     * @throws IllegalStateException when the transition is not allowed
     */
    Transition transition(UUID orderId, OrderStatus status, @Nullable String reason) {
        if (!orders.containsKey(orderId)) {
            Order stored = database.apply(orderId)
                    .orElseThrow(() -> new IllegalArgumentException("orderId " + orderId
                            + " is unknown: store the order with storeOrder before changing its status"));
            orders.putIfAbsent(orderId, stored);
        }
        long[] seq = {0};
        Order updated = orders.compute(orderId, (id, current) -> {
            Order cur = Objects.requireNonNull(current);
            cur.status().checkTransitionTo(status);
            Instant now = Validation.now();
            Order next = cur.transitioned(status, now.isAfter(cur.updatedAt()) ? now : later(cur.updatedAt()));
            seq[0] = journal.applyAsLong(OrderChange.of(next, cur.status(), reason));
            return next;
        });
        return new Transition(Objects.requireNonNull(updated), seq[0]);
    }

    /** Forgets the orders a committed batch made final: they cannot change any more. */
    void committed(List<Pending> batch) {
        for (Pending p : batch) {
            if (p.record() instanceof OrderChange c && c.order().status().isFinal()) {
                Order o = c.order();
                if (orders.remove(o.id(), o) && o.clientOrderId() != null) {
                    clientOrderIds.remove(o.clientOrderId(), o.id());
                }
            }
        }
    }

    private static Instant later(Instant t) {
        return t.plus(1, ChronoUnit.MICROS);
    }
}
