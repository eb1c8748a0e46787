package io.agstorage.examples.boot;

import io.agstorage.execution.ExecutionStore;
import io.agstorage.execution.Fill;
import io.agstorage.execution.Liquidity;
import io.agstorage.execution.Order;
import io.agstorage.execution.OrderStatus;
import io.agstorage.execution.OrderType;
import io.agstorage.execution.Side;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * A trading bot on Spring Boot with ag-storage's starter and no ag-storage code: its meters go to TimescaleDB through
 * the auto-configured {@code TimescaleMeterRegistry}, its orders and fills through the auto-configured
 * {@code ExecutionStore}, and the engine keeps the data as {@code ag-storage.retention.*} says.
 *
 * <pre>{@code
 * scripts/example boot-bot      # or: java ... BootBot --ag-storage.url=jdbc:postgresql://... --ag-storage.schema=bot
 * }</pre>
 */
@SpringBootApplication
public class BootBot {

    /** The market the bot quotes. */
    static final String MARKET = "0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1";

    /**
     * Starts the bot, which quotes once, then stops it: closing the context publishes the meters' last step and
     * flushes the store (a real bot keeps its context open: every step is published while it runs).
     */
    public static void main(String[] args) {
        try (ConfigurableApplicationContext context = SpringApplication.run(BootBot.class, args)) {
            System.out.println("boot-bot: stopping (publishing the last step of the meters)");
        }
    }

    /** Quotes once: a few meters, one order filled in one trade. */
    @Bean
    ApplicationRunner quote(MeterRegistry meters, ExecutionStore store) {
        return args -> {
            Counter quotes = Counter.builder("bot.quotes").tag("market", "demo").register(meters);
            Timer latency =
                    Timer.builder("bot.quote.latency").tag("market", "demo").register(meters);
            for (int i = 0; i < 10; i++) {
                quotes.increment();
                latency.record(Duration.ofMillis(2 + i));
            }
            Order order = Order.of("polymarket", MARKET, Side.BUY, OrderType.LIMIT, new BigDecimal("25"))
                    .withPrice(new BigDecimal("0.52"))
                    .withClientOrderId("boot-bot-" + Instant.now().toEpochMilli());
            store.storeOrder(order);
            store.updateOrderStatus(order.id(), OrderStatus.ACCEPTED);
            store.storeFill(Fill.of(order, "boot-bot-trade-" + order.id(), new BigDecimal("0.52"), order.size())
                    .withFee(new BigDecimal("-0.005"), "USDC")
                    .withLiquidity(Liquidity.MAKER));
            store.updateOrderStatus(order.id(), OrderStatus.FILLED);
            store.flush();
            System.out.println("boot-bot: quoted 10 times, order " + order.id() + " filled; meters are published "
                    + "every management.timescale.metrics.export.step and on shutdown");
        };
    }
}
