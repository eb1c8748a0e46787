package io.agstorage.execution.internal;

import io.agstorage.execution.ExecutionStore;
import io.agstorage.execution.Order;
import io.agstorage.execution.internal.ExecutionWriter.Pending;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stored orders a status change may need, in memory, so that no {@code store*} or {@code update*} call waits on
 * the database (issue #12 item 9): every order whose status is not final, loaded when the store starts (the
 * database is reachable then), and the most recent final ones ({@code finalCapacity}, loaded at start and kept up
 * as batches commit; older final orders are forgotten, least recently used first). Thread-safe.
 */
public final class KnownOrders {

    private static final Logger log = LoggerFactory.getLogger(ExecutionStore.class);

    private final ConcurrentHashMap<UUID, Order> open = new ConcurrentHashMap<>();
    private final Map<UUID, Order> finals;

    private KnownOrders(int finalCapacity) {
        this.finals = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<UUID, Order> eldest) {
                return size() > finalCapacity;
            }
        };
    }

    /** Loads the open orders and the {@code finalCapacity} most recently updated final ones from the database. */
    public static KnownOrders load(ExecutionReads reads, int finalCapacity) {
        KnownOrders known = new KnownOrders(finalCapacity);
        List<Order> open = reads.openOrders();
        open.forEach(o -> known.open.put(o.id(), o));
        List<Order> finals = reads.recentFinalOrders(finalCapacity);
        synchronized (known.finals) {
            // oldest first, so the most recent are the last evicted
            for (int i = finals.size() - 1; i >= 0; i--) {
                known.finals.put(finals.get(i).id(), finals.get(i));
            }
        }
        log.debug("ExecutionStore: {} open and {} recent final orders loaded", open.size(), finals.size());
        return known;
    }

    /** The order as stored, when it is open or among the recent final ones; empty otherwise. Never blocks on I/O. */
    public Optional<Order> get(UUID id) {
        Order o = open.get(id);
        if (o == null) {
            synchronized (finals) {
                o = finals.get(id);
            }
        }
        return Optional.ofNullable(o);
    }

    /** Keeps up with a committed batch: an order made final moves to the recent final ones. */
    public void committed(List<Pending> batch) {
        for (Pending p : batch) {
            if (p.record() instanceof OrderChange c && c.order().status().isFinal()) {
                Order o = c.order();
                open.remove(o.id());
                synchronized (finals) {
                    finals.put(o.id(), o);
                }
            }
        }
    }
}
