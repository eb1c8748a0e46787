package io.agstorage.chaos;

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
 * The child JVM of the execution door: an {@link ExecutionStore} on the run's journal directory storing a new order,
 * then nine fills of it, over and over, until it is killed. Prints {@code TRY <key>} before each call and
 * {@code ACK <key>} after it returned, each line in one write(2) so that a kill never tears one; keys are
 * {@code order:<id>} and {@code fill:<venue trade id>}, the trade ids unique across generations.
 *
 * <p>Arguments: jdbc url, schema, journal directory, generation.
 */
public final class ExecutionWorkload {

    static final String VENUE = "chaos";
    static final String MARKET = "chaos-market";

    private ExecutionWorkload() {}

    public static void main(String[] args) throws InterruptedException {
        FileOutputStream out = new FileOutputStream(FileDescriptor.out);
        System.setOut(System.err);
        StorageConfig config = StorageConfig.builder()
                .setUrl(args[0])
                .setUser(ChaosCluster.WRITER_ROLE)
                .setSchema(args[1])
                .setMaxConnections(4)
                .setConnectionTimeoutSec(5)
                .setWriteTimeoutMs(5_000)
                .setEnableCache(false)
                .build();
        ExecutionStore store = ExecutionStore.builder()
                .storageConfig(config)
                .journalDirectory(Path.of(args[2]))
                .syncPolicy(SyncPolicy.BATCH)
                .batchSize(200)
                .build();
        String generation = args[3];
        Order order = null;
        for (long i = 0; ; i++) {
            if (i % 10 == 0) {
                order = Order.of(VENUE, MARKET, Side.BUY, OrderType.LIMIT, new BigDecimal("1000000"))
                        .withPrice(new BigDecimal("0.5"));
                String key = "order:" + order.id();
                line(out, "TRY " + key);
                store.storeOrder(order);
                line(out, "ACK " + key);
            } else {
                String tradeId = "g" + generation + "-" + i;
                line(out, "TRY fill:" + tradeId);
                store.storeFill(Fill.of(order, tradeId, new BigDecimal("0.5"), BigDecimal.ONE));
                line(out, "ACK fill:" + tradeId);
            }
            Thread.sleep(2); // pacing: the database and the other doors share two cores
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
