package io.agstorage.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agstorage.core.StorageConfig;
import io.agstorage.core.testing.DatabaseExtension;
import io.agstorage.core.testing.TcpProxy;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The network to the database goes silent under the execution writer (issue #12 item 7): no reset, packets dropped.
 * {@code store*} keeps returning at journal speed, and the writer notices within {@code database.socket_timeout_sec},
 * drops the stalled connection and writes on a new one: every order and fill stored exactly once.
 */
class StalledExecutionWriterIT {

    private static final int SOCKET_TIMEOUT_SEC = 2;
    private static final Duration MARGIN = Duration.ofSeconds(8);

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("exec_stall");

    @TempDir
    Path journalDir;

    @Test
    void ordersAndFillsStoredWhileTheConnectionStallsAreWrittenOnceOnANewConnection() throws Exception {
        String market = "stall-" + UUID.randomUUID();
        try (TcpProxy proxy = TcpProxy.forJdbcUrl(db.url())) {
            StorageConfig config = db.config()
                    .setUrl(proxy.proxiedUrl(db.url()))
                    .setConnectionTimeoutSec(2)
                    .setWriteTimeoutMs(3_000)
                    .set("database.socket_timeout_sec", Integer.toString(SOCKET_TIMEOUT_SEC))
                    .set("database.connect_timeout_sec", "2")
                    .build();
            try (ExecutionStore store = ExecutionStore.builder()
                    .storageConfig(config)
                    .journalDirectory(journalDir)
                    .build()) {
                Order first = Order.of("polymarket", market, Side.BUY, OrderType.LIMIT, new BigDecimal("1000"))
                        .withPrice(new BigDecimal("0.5"));
                store.storeOrder(first);
                store.storeFill(Fill.of(first, "before-stall", new BigDecimal("0.5"), BigDecimal.ONE));
                store.flush();

                proxy.stallOpenConnections();
                long start = System.nanoTime();
                long slowest = 0;
                for (int i = 0; i < 200; i++) {
                    long t = System.nanoTime();
                    Order order = Order.of("polymarket", market, Side.SELL, OrderType.LIMIT, new BigDecimal("10"))
                            .withPrice(new BigDecimal("0.4"));
                    store.storeOrder(order);
                    store.storeFill(Fill.of(order, "during-stall-" + i, new BigDecimal("0.4"), BigDecimal.TEN));
                    slowest = Math.max(slowest, System.nanoTime() - t);
                }
                assertThat(Duration.ofNanos(slowest))
                        .as("no store* call waits on the stalled database")
                        .isLessThan(Duration.ofSeconds(1));

                await().atMost(Duration.ofSeconds(SOCKET_TIMEOUT_SEC).plus(MARGIN))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> fills(market) == 201 && orders(market) == 201);
                System.out.printf(
                        "execution writer: 200 orders and fills stored on a new connection %d ms after the stall, "
                                + "%d retries%n",
                        (System.nanoTime() - start) / 1_000_000, store.stats().retries());
                store.flush();
                assertThat(store.stats().retries()).isPositive();
                assertThat(store.stats().pending()).isZero();
            }
            assertThat(fills(market)).isEqualTo(201);
            assertThat(orders(market)).isEqualTo(201);
            assertThat(db.queryLong("SELECT count(DISTINCT venue_trade_id) FROM " + db.table("fills")
                            + " WHERE market = '" + market + "'"))
                    .isEqualTo(201);
        }
    }

    private long fills(String market) {
        return db.queryLong("SELECT count(*) FROM " + db.table("fills") + " WHERE market = '" + market + "'");
    }

    private long orders(String market) {
        return db.queryLong("SELECT count(*) FROM " + db.table("orders") + " WHERE market = '" + market + "'");
    }
}
