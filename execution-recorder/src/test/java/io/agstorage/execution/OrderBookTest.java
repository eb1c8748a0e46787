package io.agstorage.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agstorage.execution.internal.ExecutionWriter.Pending;
import io.agstorage.execution.internal.OrderChange;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The store's in-memory order state on its own: a list stands for the journal, a map for the database. */
class OrderBookTest {

    private final List<Object> journaled = new ArrayList<>();
    private final Map<UUID, Order> database = new HashMap<>();
    private final OrderBook book = new OrderBook(
            record -> {
                journaled.add(record);
                return journaled.size();
            },
            id -> Optional.ofNullable(database.get(id)));

    private static Order limitOrder() {
        return Order.of("polymarket", "0x123abc", Side.BUY, OrderType.LIMIT, new BigDecimal("100"))
                .withPrice(new BigDecimal("0.52"));
    }

    @Test
    void storingTheSameOrderTwiceJournalsOneChange() {
        Order order = limitOrder();
        assertThat(book.store(order)).isEqualTo(1);
        assertThat(book.store(order)).isZero();
        assertThat(journaled)
                .singleElement()
                .isInstanceOfSatisfying(
                        OrderChange.class, c -> assertThat(c.order()).isEqualTo(order));
        assertThat(book.live(order.id())).isEqualTo(order);
    }

    @Test
    void aTransitionIsCheckedJournaledAndNeverGoesBackInTime() {
        Order order = limitOrder();
        book.store(order);
        OrderBook.Transition t = book.transition(order.id(), OrderStatus.ACCEPTED, "ok");
        assertThat(t.sequence()).isEqualTo(2);
        assertThat(t.order().status()).isEqualTo(OrderStatus.ACCEPTED);
        assertThat(t.order().updatedAt()).isAfter(order.updatedAt());
        assertThat(((OrderChange) journaled.get(1)).previousStatus()).isEqualTo(OrderStatus.NEW);
        book.transition(order.id(), OrderStatus.FILLED, null);
        assertThatThrownBy(() -> book.transition(order.id(), OrderStatus.CANCELLED, null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("order status cannot change from FILLED to CANCELLED (FILLED is final)");
        assertThat(journaled).hasSize(3);
    }

    @Test
    void anUnknownOrderIsLookedUpInTheDatabase() {
        Order stored = limitOrder();
        database.put(stored.id(), stored);
        assertThat(book.transition(stored.id(), OrderStatus.CANCELLED, null)
                        .order()
                        .status())
                .isEqualTo(OrderStatus.CANCELLED);
        UUID unknown = UUID.randomUUID();
        assertThatThrownBy(() -> book.transition(unknown, OrderStatus.ACCEPTED, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("orderId " + unknown + " is unknown");
    }

    @Test
    void aClientOrderIdBelongsToOneOrderAndIsFreedWhenTheFirstStoreFails() {
        Order first = limitOrder().withClientOrderId("client-1");
        book.store(first);
        assertThatThrownBy(() -> book.store(limitOrder().withClientOrderId("client-1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("order.clientOrderId must be unique, 'client-1' is already used by order " + first.id());

        // a FILLED order the book has not seen: the database knows it as NEW, so the change is checked and allowed,
        // but a CANCELLED order the database holds as FILLED is refused and its client order id left free
        Order filled = limitOrder().withClientOrderId("client-2");
        database.put(filled.id(), filled.transitioned(OrderStatus.FILLED, filled.updatedAt()));
        assertThatThrownBy(() -> book.store(filled.transitioned(OrderStatus.CANCELLED, filled.updatedAt())))
                .isInstanceOf(IllegalStateException.class);
        Order other = limitOrder().withClientOrderId("client-2");
        assertThat(book.store(other)).isPositive();
    }

    @Test
    void aCommittedFinalChangeIsForgotten() {
        Order order = limitOrder().withClientOrderId("client-3");
        book.store(order);
        OrderBook.Transition t = book.transition(order.id(), OrderStatus.REJECTED, "no funds");
        book.committed(List.of(new Pending(t.sequence(), journaled.get(1))));
        assertThat(book.live(order.id())).isNull();
        assertThat(book.store(limitOrder().withClientOrderId("client-3"))).isPositive();
    }

    @Test
    void aLimitOrderNeedsAPrice() {
        Order noPrice = Order.of("polymarket", "0x123abc", Side.BUY, OrderType.LIMIT, new BigDecimal("100"));
        assertThatThrownBy(() -> book.store(noPrice))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("order.price must be set for a LIMIT order");
        assertThat(journaled).isEmpty();
    }
}
