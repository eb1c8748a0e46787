/**
 * The execution recorder: {@link io.agstorage.execution.ExecutionStore} records a trading bot's orders, their
 * status changes, fills and position snapshots through a local journal into TimescaleDB, never losing an
 * acknowledged record and never writing one twice.
 *
 * <h2>Usage</h2>
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
 *   <li>{@code store*} and {@link ExecutionStore#updateOrderStatus} return once the record is written to the local
 *       journal file, and forced to the device as the {@link io.agstorage.core.journal.SyncPolicy} says — never after a
 *       database round trip: {@code none}: never forced by the store (the OS writes back); {@code batch}, the default:
 *       forced by a background thread every {@linkplain ExecutionStore.Builder#syncInterval sync interval} (5 ms),
 *       without the caller waiting; {@code always}: the call returns after an {@code fsync} covering the record, shared
 *       with concurrent calls. One writer thread moves journaled records to the database in batches (whether or not
 *       they were forced yet) and trims the journal after each commit.
 *   <li>A record acknowledged before the JVM dies ({@code kill -9}) is replayed from the journal when the next store
 *       opens the same directory, whatever the policy. A crash or power loss of the machine loses nothing with
 *       {@code always}, at most the last sync interval's records (those not yet in the database) with {@code batch},
 *       and what the OS had not written back with {@code none}. While the database is down, calls keep returning at
 *       journal speed and the records wait in the journal until it is back. Memory does not grow with an outage: the
 *       writer holds at most {@linkplain ExecutionStore.Builder#maxPendingRecords maxPendingRecords} records (about 312
 *       bytes per fill, measured) and reads the rest back from the journal as it catches up; the replay on start
 *       streams the journal the same way. An outage is bounded by disk, not heap. The store itself starts only when the
 *       database is reachable (the engine detects the tier and migrates at start).
 *   <li>No {@code store*} or {@code update*} call waits on the database: the orders a status change is checked against
 *       are in memory (every open order and the {@linkplain ExecutionStore.Builder#recentFinalOrders most recent final
 *       ones}, loaded at start, and every order changed since).
 *   <li>Replays and duplicate calls never add a row: fills are keyed by (venue, venue trade id, order id), whatever
 *       time a re-report carries; position snapshots by (venue, market, time), order events by their id; an order row
 *       is updated only by a change not older than it.
 *   <li>A corrupt or torn journal tail is detected by checksum, logged, saved aside, and the valid prefix is replayed
 *       ({@link ExecutionStore#journalRecovery()}). A record with a valid checksum that this version cannot decode is
 *       quarantined ({@code quarantine-<sequence>.rec} in the journal directory, logged as an error) and the records
 *       after it are replayed: the store still opens.
 *   <li>A call whose journal write fails (a full disk) throws {@link io.agstorage.core.journal.JournalException} and
 *       leaves the journal as it was before it; calls succeed again once there is room, and every call that returned is
 *       replayed.
 * </ul>
 */
@NullMarked
package io.agstorage.execution;

import org.jspecify.annotations.NullMarked;
