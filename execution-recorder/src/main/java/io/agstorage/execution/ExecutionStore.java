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
 * <p>An example, and what the store guarantees — durability per {@link SyncPolicy}, replay after a crash, no
 * duplicate rows, recovery from a corrupt journal — are in the {@linkplain io.agstorage.execution package
 * documentation}.
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
            // the stored orders a status change may need, read now (at start) so that no call waits on them later
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

    /**
     * Orders created in {@code [start, end)} matching {@code filters}, oldest first.
     *
     * @throws QueryLimitExceededException when no limit is set and more than {@code query.max_results} match
     */
    public List<Order> queryOrders(Instant start, Instant end, OrderFilters filters) {
        return reads.orders(start, end, filters);
    }

    /** The order as the database holds it, or as this store holds it (with the stored fill progress) when open. */
    public Optional<Order> getOrder(UUID orderId) {
        Objects.requireNonNull(orderId, "orderId");
        Order live = orders.live(orderId);
        Optional<Order> stored = reads.order(orderId);
        return live == null ? stored : stored.map(live::withFillProgressOf).or(() -> Optional.of(live));
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
     * Fills traded in {@code [start, end)} matching {@code filters} (strategy, account, tags, venue, market), by trade
     * time; without a limit, more than {@code query.max_results} throw {@link QueryLimitExceededException}.
     */
    public List<Fill> queryFills(Instant start, Instant end, ExecutionFilters filters) {
        return reads.fills(start, end, filters);
    }

    /** Position snapshots taken in {@code [start, end)} matching {@code filters}, oldest first. */
    public List<PositionSnapshot> queryPositions(Instant start, Instant end, ExecutionFilters filters) {
        return reads.positions(start, end, filters);
    }

    /**
     * Realized P&amp;L by average cost per strategy and (venue, market) traded in {@code [from, to)}, fees beside it
     * per currency, ordered by strategy (none first), venue, market; the method is in {@link RealizedPnl}.
     */
    public List<RealizedPnl> realizedPnl(Instant from, Instant to) {
        return reads.realizedPnl(from, to);
    }

    /**
     * Fill statistics per UTC day, venue, market, strategy and fee currency (fees in two currencies are never added
     * up) for fills traded in {@code [start, end)}, fills whose settlement FAILED left out: see {@link DailyStats}.
     */
    public List<DailyStats> dailyFillStats(Instant start, Instant end) {
        return reads.dailyFillStats(start, end);
    }

    /**
     * Order statistics per UTC day, venue, market and strategy for orders created in {@code [start, end)}: count,
     * volume (Σ size), notional and VWAP of the limit prices (orders without a price count in volume only).
     */
    public List<DailyStats> dailyOrderStats(Instant start, Instant end) {
        return reads.dailyOrderStats(start, end);
    }

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
            this.batchSize = Validation.within("batchSize", batchSize, 1, 1_000_000);
            return this;
        }

        /**
         * The most records the writer holds in memory waiting for the database (about 312 bytes each for a fill);
         * beyond it, during an outage or a replay, records wait in the journal only and are read back from it as the
         * writer catches up. Default: 50,000 (about 16 MB). Within 1..10,000,000.
         */
        public Builder maxPendingRecords(int maxPendingRecords) {
            this.maxPendingRecords = Validation.within("maxPendingRecords", maxPendingRecords, 1, 10_000_000);
            return this;
        }

        /**
         * How many final orders (FILLED, CANCELLED, REJECTED, EXPIRED) the store remembers, most recently updated
         * first, so that a status change of one is refused as such ("FILLED is final") without asking the database;
         * open orders are all remembered. Default: 10,000. Within 0..10,000,000.
         */
        public Builder recentFinalOrders(int recentFinalOrders) {
            this.recentFinalOrders = Validation.within("recentFinalOrders", recentFinalOrders, 0, 10_000_000);
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
