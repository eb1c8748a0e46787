package io.agstorage.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agstorage.core.StorageConfig;
import io.agstorage.core.testing.DatabaseExtension;
import io.agstorage.core.testing.TcpProxy;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database becomes unreachable (a loopback proxy in front of the real server drops every connection and
 * refuses new ones): {@code storeFill} keeps returning at journal speed, nothing reaches the database meanwhile,
 * and after the database is back every fill is there exactly once. The outage lasts about 6 s here rather than
 * the 30 s of the issue, to keep the build fast; nothing in the store depends on its length (the writer retries
 * with a backoff capped at 1 s, for as long as it takes).
 */
class DatabaseOutageIT {

    private static final Duration OUTAGE = Duration.ofSeconds(6);

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("exec_outage");

    @TempDir
    Path journalDir;

    private TcpProxy proxy;

    @AfterEach
    void cleanUp() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void storeKeepsReturningFastWhileTheDatabaseIsDownAndNothingIsLostAfterItReturns() throws Exception {
        proxy = TcpProxy.forJdbcUrl(db.url());
        String proxied = proxy.proxiedUrl(db.url());
        StorageConfig config = db.config()
                .setUrl(proxied)
                .setConnectionTimeoutSec(2)
                .setWriteTimeoutMs(60_000)
                .build();
        String market = "outage-" + UUID.randomUUID();

        try (ExecutionStore store = ExecutionStore.builder()
                .storageConfig(config)
                .journalDirectory(journalDir)
                .build()) {
            Order order = Order.of("polymarket", market, Side.BUY, OrderType.LIMIT, new BigDecimal("1000000"))
                    .withPrice(new BigDecimal("0.5"));
            store.storeOrder(order);
            store.storeFill(Fill.of(order, "before-outage", new BigDecimal("0.5"), BigDecimal.ONE));
            store.flush();
            long committedBefore = store.stats().committed();

            proxy.cut();
            long[] latencies = new long[1 << 20];
            int n = 0;
            long end = System.nanoTime() + OUTAGE.toNanos();
            while (System.nanoTime() < end && n < latencies.length) {
                long start = System.nanoTime();
                store.storeFill(Fill.of(order, "during-outage-" + n, new BigDecimal("0.5"), BigDecimal.ONE));
                latencies[n++] = System.nanoTime() - start;
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> store.stats().retries() > 0);
            assertThat(fills(market))
                    .as("nothing reached the database during the outage")
                    .isEqualTo(1);
            assertThat(store.stats().committed()).isEqualTo(committedBefore);
            assertThat(store.stats().pending()).isEqualTo(n);

            long[] sorted = Arrays.copyOf(latencies, n);
            Arrays.sort(sorted);
            long p99 = sorted[(int) (n * 0.99)];
            long max = sorted[n - 1];
            System.out.printf(
                    "outage test: %d fills stored during a %d s outage; storeFill p50 %d us, p99 %d us, max %d us; "
                            + "%d retries%n",
                    n,
                    OUTAGE.toSeconds(),
                    sorted[n / 2] / 1_000,
                    p99 / 1_000,
                    max / 1_000,
                    store.stats().retries());
            assertThat(n).isGreaterThan(100);
            assertThat(Duration.ofNanos(p99)).isLessThan(Duration.ofMillis(50));
            assertThat(Duration.ofNanos(max))
                    .as("no call waited for the database")
                    .isLessThan(Duration.ofMillis(1_000));

            proxy.restore();
            store.flush();
            assertThat(fills(market)).isEqualTo(n + 1);
            assertThat(db.queryLong("SELECT count(DISTINCT venue_trade_id) FROM \"" + db.schema()
                            + "\".fills WHERE market = '" + market + "'"))
                    .isEqualTo(n + 1);
            assertThat(store.stats().pending()).isZero();
        }
    }

    private long fills(String market) {
        return db.queryLong("SELECT count(*) FROM \"" + db.schema() + "\".fills WHERE market = '" + market + "'");
    }
}
