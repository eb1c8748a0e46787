package io.agstorage.examples;

import io.agstorage.core.StorageEngine;
import io.agstorage.core.journal.SyncPolicy;
import io.agstorage.execution.DailyStats;
import io.agstorage.execution.ExecutionStore;
import io.agstorage.execution.Fill;
import io.agstorage.execution.Liquidity;
import io.agstorage.execution.Order;
import io.agstorage.execution.OrderStatus;
import io.agstorage.execution.OrderType;
import io.agstorage.execution.PositionSnapshot;
import io.agstorage.execution.Side;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The demo bot's execution part: a simulated market maker records its orders, status changes and fills through
 * an {@link ExecutionStore}, keeps a position per market, and prints the latest positions and today's fill stats.
 */
final class ExecutionDemo {

    private ExecutionDemo() {}

    /** Average-cost bookkeeping of one market: signed size, average entry price, realized PnL. */
    private static final class Book {
        BigDecimal size = BigDecimal.ZERO;
        BigDecimal avg = BigDecimal.ZERO;
        BigDecimal realized = BigDecimal.ZERO;

        void fill(BigDecimal signedQty, BigDecimal price) {
            if (size.signum() == 0 || size.signum() == signedQty.signum()) { // opening or adding
                BigDecimal next = size.add(signedQty);
                avg = avg.multiply(size.abs())
                        .add(price.multiply(signedQty.abs()))
                        .divide(next.abs(), 6, RoundingMode.HALF_EVEN);
                size = next;
                return;
            }
            BigDecimal closed = signedQty.abs().min(size.abs()); // reducing (maybe flipping)
            realized = realized.add(price.subtract(avg).multiply(closed).multiply(BigDecimal.valueOf(size.signum())));
            BigDecimal next = size.add(signedQty);
            if (next.signum() != 0 && next.signum() != size.signum()) {
                avg = price; // flipped: the rest opens at this price
            }
            size = next;
        }
    }

    /** Runs the simulated bot; returns each market's position snapshots as read back from the database. */
    static Map<String, List<PositionSnapshot>> run(StorageEngine engine, Path journal) {
        Instant started = Instant.now();
        String[] markets = {
            "0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1", // condition id
            "71321045679252212594626385532706912750332728571942532289631379312455583992563" // token id
        };
        try (ExecutionStore store = ExecutionStore.builder()
                .storageEngine(engine)
                .journalDirectory(journal)
                .syncPolicy(SyncPolicy.BATCH)
                .build()) {
            Random random = new Random(42);
            Map<String, Book> books = new LinkedHashMap<>();
            int trade = 0;
            for (int i = 0; i < 40; i++) {
                String market = markets[i % markets.length];
                Side side = random.nextBoolean() ? Side.BUY : Side.SELL;
                BigDecimal price = BigDecimal.valueOf(40 + random.nextInt(20), 2); // 0.40 .. 0.59
                BigDecimal size = BigDecimal.valueOf(10 + random.nextInt(90));
                Order order = Order.of("polymarket", market, side, OrderType.LIMIT, size)
                        .withPrice(price)
                        .withClientOrderId("demo-" + Instant.now().toEpochMilli() + "-" + i);
                store.storeOrder(order); // NEW
                store.updateOrderStatus(order.id(), OrderStatus.ACCEPTED);
                if (random.nextInt(4) == 0) {
                    store.updateOrderStatus(order.id(), OrderStatus.CANCELLED, "demo: quote pulled");
                    continue;
                }
                BigDecimal first = size.divide(BigDecimal.valueOf(2), 0, RoundingMode.DOWN);
                for (BigDecimal part : new BigDecimal[] {first, size.subtract(first)}) {
                    Fill fill = Fill.of(order, "demo-trade-" + order.id() + "-" + trade++, price, part)
                            .withFee(part.multiply(new BigDecimal("-0.0002")), "USDC") // maker rebate
                            .withLiquidity(Liquidity.MAKER);
                    store.storeFill(fill);
                    books.computeIfAbsent(market, m -> new Book()).fill(side == Side.BUY ? part : part.negate(), price);
                }
                store.updateOrderStatus(order.id(), OrderStatus.PARTIALLY_FILLED);
                store.updateOrderStatus(order.id(), OrderStatus.FILLED);
                Book book = books.get(market);
                store.storePosition(
                        PositionSnapshot.of("polymarket", market, book.size, book.size.signum() == 0 ? null : book.avg)
                                .withRealizedPnl(book.realized)
                                .withUnrealizedPnl(book.size.multiply(price.subtract(book.avg))));
            }
            store.flush(); // queries read the database

            System.out.println("execution: latest positions");
            for (String market : markets) {
                store.getLatestPosition("polymarket", market)
                        .ifPresent(p -> System.out.printf(
                                "  %s…  size %s  avg entry %s  realized %s  unrealized %s%n",
                                p.market().substring(0, 18),
                                p.size().toPlainString(),
                                p.avgEntryPrice(),
                                p.realizedPnl().toPlainString(),
                                p.unrealizedPnl().toPlainString()));
            }
            Instant today = Instant.now().truncatedTo(ChronoUnit.DAYS);
            System.out.println("execution: today's fills");
            for (DailyStats s : store.dailyFillStats(today, today.plus(1, ChronoUnit.DAYS))) {
                System.out.printf(
                        "  %s…  %d fills  volume %s  notional %s  fees %s %s  vwap %s%n",
                        s.market().substring(0, 18),
                        s.count(),
                        s.volume().toPlainString(),
                        s.notional().toPlainString(),
                        s.fees().toPlainString(),
                        s.feeCurrency() == null ? "" : s.feeCurrency(), // one row per fee currency
                        s.vwap() == null ? "-" : s.vwap().setScale(4, RoundingMode.HALF_EVEN));
            }
            System.out.println("execution: " + store.stats());
            Map<String, List<PositionSnapshot>> positions = new LinkedHashMap<>();
            for (String market : markets) {
                positions.put(
                        market,
                        store.queryPositions(market, started, Instant.now().plusSeconds(1)));
            }
            return positions;
        }
    }
}
