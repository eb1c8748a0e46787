package io.agstorage.execution;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.StorageEngine;
import io.agstorage.core.journal.Journal;
import io.agstorage.core.testing.DatabaseExtension;
import io.agstorage.execution.internal.ExecutionBatchWriter;
import io.agstorage.execution.internal.RecordCodec;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fill is identified by (venue, venue trade id, order id), whatever time each report of it carries: a venue
 * re-delivers trades after a reconnect, and {@code Fill.of} stamps each report with the time it was built. The
 * first report's trade time is kept.
 */
class FillIdentityIT {

    @RegisterExtension
    static final DatabaseExtension db = DatabaseExtension.apache("fill_id_it").withEngine();

    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");

    @TempDir
    Path journalDir;

    private ExecutionStore store;
    private String market;
    private Order order;

    @BeforeEach
    void openStore() {
        store = open(journalDir);
        market = "0x" + UUID.randomUUID().toString().replace("-", "");
        order = Order.of("polymarket", market, Side.BUY, OrderType.LIMIT, d("100"))
                .withPrice(d("0.52"))
                .withCreatedAt(T0);
        store.storeOrder(order);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    private static ExecutionStore open(Path journal) {
        return ExecutionStore.builder()
                .storageEngine(db.engine())
                .journalDirectory(journal)
                .build();
    }

    private static BigDecimal d(String v) {
        return new BigDecimal(v);
    }

    private long rows() {
        return db.queryLong("SELECT count(*) FROM \"" + db.schema() + "\".fills WHERE market = '" + market + "'");
    }

    private DailyStats statsOfTheDay() {
        return store.dailyFillStats(T0.minusSeconds(36_000), T0.plusSeconds(36_000)).stream()
                .filter(s -> s.market().equals(market))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void aTradeReportedTwiceWithDifferentTimesIsStoredOnce() {
        Fill first = Fill.of(order, "trade-1", d("0.52"), d("40"))
                .withFee(d("0.01"), "USDC")
                .withTradeTime(T0);
        store.storeFill(first);
        store.flush();
        // the venue re-delivers the trade after a reconnect; the bot builds it again with Fill.of, stamped later
        store.storeFill(first.withTradeTime(T0.plusSeconds(7)));
        store.flush();

        assertThat(rows()).isEqualTo(1);
        assertThat(store.queryFillsByOrder(order.id())).containsExactly(first);
        DailyStats stats = statsOfTheDay();
        assertThat(stats.count()).isEqualTo(1);
        assertThat(stats.volume()).isEqualByComparingTo("40");
        assertThat(stats.fees()).isEqualByComparingTo("0.01");
        assertThat(stats.vwap()).isEqualByComparingTo("0.52");
    }

    @Test
    void aTradeBuiltTwiceWithFillOfIsStoredOnce() {
        Fill first = Fill.of(order, "trade-now", d("0.52"), d("40"));
        store.storeFill(first);
        store.flush();
        store.storeFill(Fill.of(order, "trade-now", d("0.52"), d("40")));
        store.flush();

        assertThat(store.queryFillsByOrder(order.id())).containsExactly(first);
    }

    @Test
    void aLaterSettlementStatusUpdatesTheStoredFill() {
        Fill matched = Fill.of(order, "settle-1", d("0.52"), d("40")).withTradeTime(T0);
        store.storeFill(matched);
        store.flush();
        // status updates built the same way: each stamped with the time it arrived
        store.storeFill(matched.withTradeTime(T0.plusSeconds(12)).withSettlementStatus(SettlementStatus.MINED));
        store.flush();
        store.storeFill(matched.withTradeTime(T0.plusSeconds(30)).withSettlementStatus(SettlementStatus.CONFIRMED));
        store.flush();
        store.storeFill(matched.withTradeTime(T0.plusSeconds(31))); // a late copy of the first message
        store.flush();

        assertThat(store.queryFillsByOrder(order.id()))
                .containsExactly(matched.withSettlementStatus(SettlementStatus.CONFIRMED));
    }

    @Test
    void oneVenueTradeFillingTwoOfOurOrdersIsTwoFills() {
        Order other = Order.of("polymarket", market, Side.BUY, OrderType.LIMIT, d("5"))
                .withPrice(d("0.52"))
                .withCreatedAt(T0);
        store.storeOrder(other);
        Fill mine = Fill.of(order, "shared", d("0.52"), d("10")).withTradeTime(T0);
        Fill theOther = Fill.of(other, "shared", d("0.52"), d("5")).withTradeTime(T0.plusMillis(1));
        store.storeFill(mine);
        store.storeFill(theOther);
        store.flush();
        store.storeFill(mine.withTradeTime(T0.plusSeconds(5)));
        store.storeFill(theOther.withTradeTime(T0.plusSeconds(5)));
        store.flush();

        assertThat(rows()).isEqualTo(2);
        assertThat(store.queryFillsByOrder(order.id())).containsExactly(mine);
        assertThat(store.queryFillsByOrder(other.id())).containsExactly(theOther);
        assertThat(statsOfTheDay().volume()).isEqualByComparingTo("15");
    }

    @Test
    void theSameTradeOnTwoVenuesIsTwoFills() {
        Fill polymarket = Fill.of(order, "venue-trade", d("0.52"), d("10")).withTradeTime(T0);
        Fill kalshi = new Fill(
                order.id(),
                "kalshi",
                market,
                "venue-trade",
                Side.BUY,
                d("0.52"),
                d("10"),
                BigDecimal.ZERO,
                null,
                null,
                T0.plusSeconds(1),
                SettlementStatus.MATCHED);
        store.storeFill(polymarket);
        store.storeFill(kalshi);
        store.flush();

        assertThat(store.queryFillsByOrder(order.id())).containsExactly(polymarket, kalshi);
    }

    @Test
    void aReReportInTheSameBatchIsStoredOnceWithTheFirstTimeAndTheBestStatus() throws Exception {
        Fill first = Fill.of(order, "same-batch", d("0.52"), d("40")).withTradeTime(T0.plusSeconds(3));
        Fill again = first.withTradeTime(T0.plusSeconds(9)).withSettlementStatus(SettlementStatus.MINED);
        Fill earlierStamp = first.withTradeTime(T0); // stamped earlier, but reported last
        new ExecutionBatchWriter(db.engine().dataSource(), db.engine().quotedSchema())
                .write(List.of(first, again, earlierStamp));

        assertThat(store.queryFillsByOrder(order.id()))
                .containsExactly(first.withSettlementStatus(SettlementStatus.MINED));
    }

    @Test
    void aReReportReplayedFromTheJournalAfterARestartIsStoredOnce(@TempDir Path crashedJournal) {
        Fill first = Fill.of(order, "restart", d("0.52"), d("40")).withTradeTime(T0);
        store.storeFill(first);
        store.flush();
        // another process journaled a re-report of the trade and died before writing it to the database
        try (Journal journal = Journal.builder().directory(crashedJournal).open((seq, payload) -> {})) {
            journal.append(RecordCodec.encode(first.withTradeTime(T0.plusSeconds(60))));
            journal.append(RecordCodec.encode(
                    first.withTradeTime(T0.plusSeconds(61)).withSettlementStatus(SettlementStatus.CONFIRMED)));
        }
        try (ExecutionStore restarted = open(crashedJournal)) {
            assertThat(restarted.journalRecovery().records()).isEqualTo(2);
            restarted.flush();
            restarted.storeFill(first.withTradeTime(T0.plusSeconds(90))); // and the venue sends it once more
            restarted.flush();
        }

        assertThat(rows()).isEqualTo(1);
        assertThat(store.queryFillsByOrder(order.id()))
                .containsExactly(first.withSettlementStatus(SettlementStatus.CONFIRMED));
    }

    @Test
    void theKeyOfAFillDroppedByRetentionIsPrunedAndTheTradeCanBeStoredAgain(@TempDir Path laterJournal) {
        Fill old = Fill.of(order, "old-trade", d("0.52"), d("1")).withTradeTime(Instant.parse("2020-01-08T00:00:00Z"));
        Fill recent = Fill.of(order, "recent-trade", d("0.52"), d("2")).withTradeTime(T0);
        store.storeFill(old);
        store.storeFill(recent);
        store.flush();
        assertThat(keys()).isEqualTo(2);

        db.execute("SELECT drop_chunks('\"" + db.schema() + "\".fills', older_than => '2021-01-01'::timestamptz)");
        try (ExecutionStore later = open(laterJournal)) {
            later.storeFill(recent); // a writer prunes after its first batch
            later.flush();
            assertThat(keys()).isEqualTo(1);
            later.storeFill(old.withTradeTime(old.tradeTime().plusSeconds(5))); // re-delivered after retention
            later.flush();
        }
        assertThat(store.queryFillsByOrder(order.id()))
                .containsExactly(old.withTradeTime(old.tradeTime().plusSeconds(5)), recent);
    }

    @Test
    void fillsStoredTwiceBeforeThisVersionAreMergedIntoOneWhenTheSchemaIsUpgraded() {
        String schema = db.newSchema("fill_id_upgrade");
        String s = "\"" + schema + "\"";
        StorageEngine.create(db.database().config(schema).build()).close();
        // the schema as version 5 left it, with the rows the bug wrote: three reports of one fill, one of another
        db.execute("DROP TABLE " + s + ".fill_keys");
        db.execute("DELETE FROM " + s + ".schema_migrations WHERE version = 6");
        db.execute("INSERT INTO " + s + ".fills (venue_trade_time, venue, venue_trade_id, order_id, market, side, "
                + "price, size, settlement_status) VALUES "
                + "('2026-03-02T10:00:05Z', 'polymarket', 'dup', '" + order.id()
                + "', 'm', 'BUY', 0.5, 10, 'MINED'),"
                + "('2026-03-02T10:00:00Z', 'polymarket', 'dup', '" + order.id()
                + "', 'm', 'BUY', 0.5, 10, 'MATCHED'),"
                + "('2026-03-02T10:00:09Z', 'polymarket', 'dup', '" + order.id()
                + "', 'm', 'BUY', 0.5, 10, 'CONFIRMED'),"
                + "('2026-03-02T10:00:01Z', 'polymarket', 'single', '" + order.id()
                + "', 'm', 'BUY', 0.5, 3, 'MATCHED')");

        StorageEngine.create(db.database().config(schema).build()).close();

        assertThat(db.queryString("SELECT string_agg(venue_trade_id || ' ' || venue_trade_time AT TIME ZONE 'UTC' "
                        + "|| ' ' || settlement_status, ', ' ORDER BY venue_trade_id) FROM " + s + ".fills"))
                .isEqualTo("dup 2026-03-02 10:00:00 CONFIRMED, single 2026-03-02 10:00:01 MATCHED");
        assertThat(db.queryString("SELECT string_agg(venue_trade_id || ' ' || venue_trade_time AT TIME ZONE 'UTC', "
                        + "', ' ORDER BY venue_trade_id) FROM " + s + ".fill_keys"))
                .isEqualTo("dup 2026-03-02 10:00:00, single 2026-03-02 10:00:01");
    }

    private long keys() {
        return db.queryLong(
                "SELECT count(*) FROM \"" + db.schema() + "\".fill_keys WHERE order_id = '" + order.id() + "'");
    }
}
