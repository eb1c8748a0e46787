package io.agstorage.execution;

import io.agstorage.core.QueryLimitExceededException;
import io.agstorage.core.StorageConfig;
import io.agstorage.core.StorageEngine;
import io.agstorage.core.StorageException;
import io.agstorage.core.journal.Journal;
import io.agstorage.core.journal.JournalException;
import io.agstorage.core.journal.JournalRecovery;
import io.agstorage.core.journal.SyncPolicy;
import io.agstorage.execution.internal.ExecutionJournal;
import io.agstorage.execution.internal.ExecutionReads;
import io.agstorage.execution.internal.KnownOrders;
import io.agstorage.execution.internal.Validation;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * Records a trading bot's orders, order status changes, fills and position snapshots in TimescaleDB without
 * ever losing an acknowledged record or writing one twice, and without making the bot wait for the database.
 *
 * <pre>{@code
 * try (ExecutionStore store = ExecutionStore.builder()
 *         .storageEngine(engine)                            // or .storageConfig(config): the store owns an engine
 *         .journalDirectory(Path.of("/var/lib/bot/journal"))
 *         .syncPolicy(SyncPolicy.BATCH)                     // the default; see below
 *         .syncInterval(Duration.ofMillis(5))               // the default
 *         .build()) {
 *     Order order = Order.of("polymarket", "0x123abc", Side.BUY, OrderType.LIMIT, new BigDecimal("100"))
 *             .withPrice(new BigDecimal("0.52"));
 *     store.storeOrder(order);
 *     store.updateOrderStatus(order.id(), OrderStatus.ACCEPTED);
 *     store.storeFill(Fill.of(order, "trade-1", new BigDecimal("0.52"), new BigDecimal("40")));
 *     store.storePosition(PositionSnapshot.of("polymarket", "0x123abc", new BigDecimal("40"), new BigDecimal("0.52")));
 * }
 * }</pre>
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>{@code store*} and {@link #updateOrderStatus} return once the record is written to the local journal file,
 *       and forced to the device as the {@link SyncPolicy} says — never after a database round trip:
 *       {@code none}: never forced by the store (the OS writes back); {@code batch}, the default: forced by a
 *       background thread every {@linkplain Builder#syncInterval sync interval} (5 ms), without the caller waiting;
 *       {@code always}: the call returns after an {@code fsync} covering the record, shared with concurrent calls.
 *       One writer thread moves journaled records to the database in batches (whether or not they were forced yet)
 *       and trims the journal after each commit.
 *   <li>A record acknowledged before the JVM dies ({@code kill -9}) is replayed from the journal when the next
 *       store opens the same directory, whatever the policy. A crash or power loss of the machine loses nothing
 *       with {@code always}, at most the last sync interval's records (those not yet in the database) with
 *       {@code batch}, and what the OS had not written back with {@code none}. While the database is down, calls
 *       keep returning at journal speed and the records wait in the journal until it is back. Memory does not grow
 *       with an outage: the writer holds at most {@linkplain Builder#maxPendingRecords maxPendingRecords} records
 *       (about 312 bytes per fill, measured) and reads the rest back from the journal as it catches up; the replay
 *       on start streams the journal the same way. An outage is bounded by disk, not heap. The store itself starts
 *       only when the database is reachable (the engine detects the tier and migrates at start).
 *   <li>No {@code store*} or {@code update*} call waits on the database: the orders a status change is checked
 *       against are in memory (every open order and the {@linkplain Builder#recentFinalOrders most recent final
 *       ones}, loaded at start, and every order changed since).
 *   <li>Replays and duplicate calls never add a row: fills are keyed by (venue, venue trade id, order id), whatever
 *       time a re-report carries; position snapshots by (venue, market, time), order events by their id; an order
 *       row is updated only by a change not older than it.
 *   <li>A corrupt or torn journal tail is detected by checksum, logged, saved aside, and the valid prefix is
 *       replayed ({@link #journalRecovery()}). A record with a valid checksum that this version cannot decode is
 *       quarantined ({@code quarantine-<sequence>.rec} in the journal directory, logged as an error) and the records
 *       after it are replayed: the store still opens.
 *   <li>A call whose journal write fails (a full disk) throws {@link JournalException} and leaves the journal as it
 *       was before it; calls succeed again once there is room, and every call that returned is replayed.
 * </ul>
 *
 * Queries read the database: call {@link #flush()} first to see the records just stored. Thread-safe; changes of
 * one order are serialised. {@link #close()} writes what is pending (bounded by {@code ingestion.write_timeout_ms};
 * what is left stays in the journal for the next start) and is idempotent.
 */
public final class ExecutionStore implements AutoCloseable {

    private final StorageEngine engine;
    private final boolean ownsEngine;
    private final ExecutionReads reads;
    private final long writeTimeoutMs;
    private final OrderBook orders;
    private final ExecutionJournal journal;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ExecutionStore(Builder b) {
        StorageEngine e = b.engine;
        this.ownsEngine = e == null;
        this.engine = e != null ? e : StorageEngine.create(Objects.requireNonNull(b.config));
        try {
            StorageConfig config = engine.config();
            this.writeTimeoutMs = config.writeTimeoutMs();
            this.reads = new ExecutionReads(engine);
            // the stored orders a status change may need, read now (the database is reachable at start) so that no
            // call waits on it later
            KnownOrders known = KnownOrders.load(reads, b.recentFinalOrders);
            this.orders = new OrderBook(this::append, known::get);
            Path dir = b.journalDirectory != null ? b.journalDirectory : Path.of("ag-storage-journal", config.schema());
            this.journal = new ExecutionJournal(
                    b.journal, dir, engine, b.batchSize, b.maxPendingRecords, orders::replayed, batch -> {
                        orders.committed(batch);
                        known.committed(batch);
                    });
        } catch (RuntimeException ex) {
            if (ownsEngine) {
                engine.close();
            }
            throw ex;
        }
    }

    /** A store with its own {@link StorageEngine} (closed with the store) and the default journal directory. */
    public static ExecutionStore create(StorageConfig config) {
        return builder().storageConfig(config).build();
    }

    /** A store writing through {@code engine} (which the store never closes), with the default journal directory. */
    public static ExecutionStore create(StorageEngine engine) {
        return builder().storageEngine(engine).build();
    }

    /** Journals a record for the writer; its sequence (the journal opens after the order book, which calls this). */
    private long append(Object record) {
        return journal.append(record);
    }

    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------------------------------------ writes

    /**
     * Records an order: its first appearance, or a change of it (a new status, an amendment, a venue order id).
     * Storing the same order again is a no-op.
     *
     * @throws IllegalArgumentException when the order breaks a rule ({@link Order}), a {@link OrderType#LIMIT} order
     *     has no price, a {@link TimeInForce#GTD} order no expiry, or its client order id belongs to another order
     * @throws IllegalStateException when the status change is not allowed ({@link OrderStatus}) or the store is closed
     * @throws JournalException when the journal cannot write or force the record
     */
    public void storeOrder(Order order) {
        Objects.requireNonNull(order, "order");
        checkOpen();
        long seq = orders.store(order);
        if (seq > 0) {
            journal.awaitDurable(seq);
        }
    }

    /** {@link #updateOrderStatus(UUID, OrderStatus, String)} without a reason. */
    public Order updateOrderStatus(UUID orderId, OrderStatus status) {
        return updateOrderStatus(orderId, status, null);
    }

    /**
     * Moves an order to {@code status} (recorded as an {@code order_events} row, and as the order's current state).
     * The order is looked up in memory only, never in the database: the orders changed since start, and those
     * stored before it that were open at start or among the {@linkplain Builder#recentFinalOrders most recent final
     * ones}. An older final order is therefore reported unknown rather than final.
     *
     * @param reason why, e.g. the venue's rejection message; at most 4,096 characters
     * @return the order as it now stands
     * @throws IllegalArgumentException when the order is unknown (see above)
     * @throws IllegalStateException when the transition is not allowed, e.g. "order status cannot change from FILLED
     *     to ACCEPTED (FILLED is final)"
     */
    public Order updateOrderStatus(UUID orderId, OrderStatus status, @Nullable String reason) {
        Objects.requireNonNull(orderId, "orderId");
        Objects.requireNonNull(status, "status");
        String why = Validation.optionalText("reason", reason, Validation.MAX_TEXT_LENGTH);
        checkOpen();
        OrderBook.Transition t = orders.transition(orderId, status, why);
        journal.awaitDurable(t.sequence());
        return t.order();
    }

    /**
     * Records a fill. The same fill stored twice is one row; a fill whose order this store has never seen is
     * stored all the same and reported by {@link #queryFillsForUnknownOrders}.
     *
     * @throws JournalException when the journal cannot write or force the record
     */
    public void storeFill(Fill fill) {
        Objects.requireNonNull(fill, "fill");
        checkOpen();
        journal.awaitDurable(journal.append(fill));
    }

    /** Records a position snapshot; the same (venue, market, time) stored twice is one row. */
    public void storePosition(PositionSnapshot position) {
        Objects.requireNonNull(position, "position");
        checkOpen();
        journal.awaitDurable(journal.append(position));
    }

    /**
     * Waits until every record stored before this call is committed to the database.
     *
     * @throws StorageException when that takes longer than {@code ingestion.write_timeout_ms} (the records stay in
     *     the journal and are written when the database is reachable)
     */
    public void flush() {
        checkOpen();
        journal.flush(writeTimeoutMs);
    }

    // ------------------------------------------------------------------------------------------------ reads

    /**
     * Orders created in {@code [start, end)} matching {@code filters}, oldest first.
     *
     * @throws QueryLimitExceededException when no limit is set and more than {@code query.max_results} match
     */
    public List<Order> queryOrders(Instant start, Instant end, OrderFilters filters) {
        return reads.orders(start, end, filters);
    }

    /** The order as the database holds it, or as this store holds it when a change is not committed yet. */
    public Optional<Order> getOrder(UUID orderId) {
        Objects.requireNonNull(orderId, "orderId");
        Order live = orders.live(orderId);
        return live != null ? Optional.of(live) : reads.order(orderId);
    }

    /** Every recorded change of an order, oldest first. */
    public List<OrderEvent> queryOrderEvents(UUID orderId) {
        return reads.events(orderId);
    }

    /** The fills of one order, by trade time. */
    public List<Fill> queryFillsByOrder(UUID orderId) {
        return reads.fillsByOrder(orderId);
    }

    /** Reconciliation: fills traded in {@code [start, end)} whose order id matches no stored order. */
    public List<Fill> queryFillsForUnknownOrders(Instant start, Instant end) {
        return reads.fillsForUnknownOrders(start, end);
    }

    /** Position snapshots of {@code market} (every venue) in {@code [start, end)}, oldest first. */
    public List<PositionSnapshot> queryPositions(String market, Instant start, Instant end) {
        return reads.positions(market, start, end);
    }

    /** The latest snapshot of (venue, market): one probe of the (venue, market, time DESC) index. */
    public Optional<PositionSnapshot> getLatestPosition(String venue, String market) {
        return reads.latestPosition(venue, market);
    }

    /**
     * Fill statistics per UTC day, venue and market for fills traded in {@code [start, end)}: count, volume (Σ size),
     * notional (Σ price × size), fees (Σ fee, signed) and VWAP (notional / volume). Fills whose settlement FAILED
     * are left out. Computed from the fills table by query.
     */
    public List<DailyStats> dailyFillStats(Instant start, Instant end) {
        return reads.dailyFillStats(start, end);
    }

    /**
     * Order statistics per UTC day, venue and market for orders created in {@code [start, end)}: count, volume
     * (Σ size), notional and VWAP of the limit prices (orders without a price count in volume only).
     */
    public List<DailyStats> dailyOrderStats(Instant start, Instant end) {
        return reads.dailyOrderStats(start, end);
    }

    // ------------------------------------------------------------------------------------------------ state

    /** The counters now. */
    public ExecutionStats stats() {
        return journal.stats();
    }

    /** What the journal held when this store opened: records replayed, and any corrupt or torn tail cut off. */
    public JournalRecovery journalRecovery() {
        return journal.recovery();
    }

    /** The SQL of {@link #getLatestPosition}, with {@code ?} for venue and market; for EXPLAIN and docs. */
    public String latestPositionSql() {
        return reads.latestPositionSql();
    }

    public StorageEngine storageEngine() {
        return engine;
    }

    public boolean isClosed() {
        return closed.get();
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("ExecutionStore is closed");
        }
    }

    /**
     * Writes what is pending, waiting at most {@code ingestion.write_timeout_ms}; what is left stays in the journal
     * and is replayed by the next store on this directory. Closes the journal, and the engine when the store
     * created it. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        ExecutionStats s = journal.close(writeTimeoutMs);
        if (ownsEngine) {
            engine.close();
        }
        journal.logClosed(s);
    }

    @Override
    public String toString() {
        return "ExecutionStore{journal=" + journal.journal() + ", schema="
                + engine.config().schema() + "}";
    }

    /** Builds an {@link ExecutionStore}: set exactly one of {@link #storageEngine} and {@link #storageConfig}. */
    public static final class Builder {
        private @Nullable StorageEngine engine;
        private @Nullable StorageConfig config;
        private @Nullable Path journalDirectory;
        /** Holds (and validates) the journal's settings; the directory is set at build. */
        private final Journal.Builder journal = Journal.builder();

        private int batchSize = 5_000;
        private int maxPendingRecords = 50_000;
        private int recentFinalOrders = 10_000;

        private Builder() {}

        /** Write through this engine (its pool, schema and timeouts); the store never closes it. */
        public Builder storageEngine(StorageEngine engine) {
            this.engine = Objects.requireNonNull(engine, "storageEngine");
            return this;
        }

        /** Start an engine from this configuration; the store closes it. */
        public Builder storageConfig(StorageConfig config) {
            this.config = Objects.requireNonNull(config, "storageConfig");
            return this;
        }

        /**
         * Where the journal's segment files live; one store per directory (a lock file enforces it). Default:
         * {@code ag-storage-journal/<schema>} under the working directory.
         */
        public Builder journalDirectory(Path journalDirectory) {
            this.journalDirectory = Objects.requireNonNull(journalDirectory, "journalDirectory");
            return this;
        }

        /**
         * How far a record is forced to the device around {@code store*}: {@link SyncPolicy#NONE} never (survives
         * {@code kill -9}, not a machine crash), {@link SyncPolicy#BATCH} within the {@linkplain #syncInterval sync
         * interval} after the call returned (a machine crash loses at most that interval), {@link SyncPolicy#ALWAYS}
         * before the call returns (loses nothing). Default: {@link SyncPolicy#BATCH}.
         */
        public Builder syncPolicy(SyncPolicy syncPolicy) {
            journal.syncPolicy(Objects.requireNonNull(syncPolicy, "syncPolicy"));
            return this;
        }

        /**
         * How often the {@link SyncPolicy#BATCH} policy forces the journal when records were written since the last
         * {@code fsync}; the most a machine crash or power loss can take (plus one {@code fsync}). Ignored by the other
         * policies. Default: 5 ms ({@link Journal#DEFAULT_SYNC_INTERVAL}). Within 1 ms..10 s.
         *
         * @throws IllegalArgumentException when out of range, e.g. "syncInterval must be within 1 ms..10 s, was PT0S"
         */
        public Builder syncInterval(Duration syncInterval) {
            journal.syncInterval(syncInterval);
            return this;
        }

        /** The most records the writer commits in one transaction. Default: 5,000. */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1 || batchSize > 1_000_000) {
                throw new IllegalArgumentException("batchSize must be within 1..1000000, was " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /**
         * The most records the writer holds in memory waiting for the database (about 312 bytes each for a fill);
         * beyond it, during an outage or a replay, records wait in the journal only and are read back from it as the
         * writer catches up. Default: 50,000 (about 16 MB). Within 1..10,000,000.
         */
        public Builder maxPendingRecords(int maxPendingRecords) {
            if (maxPendingRecords < 1 || maxPendingRecords > 10_000_000) {
                throw new IllegalArgumentException(
                        "maxPendingRecords must be within 1..10000000, was " + maxPendingRecords);
            }
            this.maxPendingRecords = maxPendingRecords;
            return this;
        }

        /**
         * How many final orders (FILLED, CANCELLED, REJECTED, EXPIRED) the store remembers, most recently updated
         * first, so that a status change of one is refused as such ("FILLED is final") without asking the database;
         * open orders are all remembered. Default: 10,000. Within 0..10,000,000.
         */
        public Builder recentFinalOrders(int recentFinalOrders) {
            if (recentFinalOrders < 0 || recentFinalOrders > 10_000_000) {
                throw new IllegalArgumentException(
                        "recentFinalOrders must be within 0..10000000, was " + recentFinalOrders);
            }
            this.recentFinalOrders = recentFinalOrders;
            return this;
        }

        /** A journal segment is closed (and deleted once committed) at this size. Default: 64 MiB. */
        public Builder segmentBytes(long segmentBytes) {
            journal.segmentBytes(segmentBytes);
            return this;
        }

        /**
         * Opens the journal, replays what it holds and starts the writer.
         *
         * @throws IllegalStateException when neither or both of storageEngine and storageConfig are set, or another
         *     store holds the journal directory
         */
        public ExecutionStore build() {
            if ((engine == null) == (config == null)) {
                throw new IllegalStateException("set exactly one of storageEngine and storageConfig");
            }
            return new ExecutionStore(this);
        }
    }
}
