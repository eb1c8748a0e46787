package io.agstorage.execution.testing;

import io.agstorage.core.StorageConfig;
import io.agstorage.core.journal.SyncPolicy;
import io.agstorage.execution.ExecutionStore;
import io.agstorage.execution.Fill;
import io.agstorage.execution.Order;
import io.agstorage.execution.OrderType;
import io.agstorage.execution.Side;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The child JVM of the crash test: stores fills as fast as it can and prints {@code ACK <venue trade id>} on stdout
 * after each {@code storeFill} returns, until it is killed.
 *
 * <p>Arguments: jdbc url, schema, journal directory, market, sync policy.
 */
public final class CrashingBot {

    private CrashingBot() {}

    public static void main(String[] args) {
        // stdout carries only the protocol lines, each in one write(2); logging goes to stderr
        FileOutputStream out = new FileOutputStream(FileDescriptor.out);
        System.setOut(System.err);
        StorageConfig config = StorageConfig.builder()
                .setUrl(args[0])
                .setSchema(args[1])
                .setMaxConnections(4)
                .setBatchSize(1_000)
                .setMaxBufferSize(8_192)
                .setEnableCache(false)
                .build();
        String market = args[3];
        ExecutionStore store = ExecutionStore.builder()
                .storageConfig(config)
                .journalDirectory(Path.of(args[2]))
                .syncPolicy(SyncPolicy.parse(args[4]))
                .batchSize(200)
                .build();
        Order order = Order.of("polymarket", market, Side.BUY, OrderType.LIMIT, new BigDecimal("1000000"))
                .withPrice(new BigDecimal("0.5"));
        store.storeOrder(order);
        line(out, "READY " + order.id());
        for (long i = 0; ; i++) {
            String tradeId = "crash-" + i;
            store.storeFill(Fill.of(order, tradeId, new BigDecimal("0.5"), BigDecimal.ONE));
            line(out, "ACK " + tradeId);
        }
    }

    private static void line(FileOutputStream out, String line) {
        try {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
