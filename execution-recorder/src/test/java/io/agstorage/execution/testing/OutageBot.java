package io.agstorage.execution.testing;

import io.agstorage.core.StorageConfig;
import io.agstorage.execution.ExecutionStore;
import io.agstorage.execution.Fill;
import io.agstorage.execution.Order;
import io.agstorage.execution.OrderType;
import io.agstorage.execution.Side;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The child JVM (run with a small heap) of the memory tests. Mode {@code outage}: starts a store, prints
 * {@code READY}, waits for {@code GO} on stdin (the parent cuts the database first), stores {@code count} fills,
 * prints {@code STORED}, waits for {@code FLUSH} (the parent restores the database), flushes and prints
 * {@code DONE}. Mode {@code replay}: opens a store on an existing journal, flushes and prints {@code DONE}.
 *
 * <p>Arguments: mode, jdbc url, schema, journal directory, market, count.
 */
public final class OutageBot {

    private OutageBot() {}

    public static void main(String[] args) throws IOException {
        FileOutputStream out = new FileOutputStream(FileDescriptor.out);
        System.setOut(System.err);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        StorageConfig config = StorageConfig.builder()
                .setUrl(args[1])
                .setSchema(args[2])
                .setMaxConnections(2)
                .setConnectionTimeoutSec(2)
                .setWriteTimeoutMs(120_000)
                .setEnableCache(false)
                .build();
        try (ExecutionStore store = ExecutionStore.builder()
                .storageConfig(config)
                .journalDirectory(Path.of(args[3]))
                .segmentBytes(4 << 20)
                .build()) {
            if (args[0].equals("outage")) {
                line(out, "READY");
                expect(in, "GO");
                Order order = Order.of("polymarket", args[4], Side.BUY, OrderType.LIMIT, new BigDecimal("1000000"))
                        .withPrice(new BigDecimal("0.5"));
                int count = Integer.parseInt(args[5]);
                for (int i = 0; i < count; i++) {
                    store.storeFill(Fill.of(order, "outage-" + i, new BigDecimal("0.5"), BigDecimal.ONE));
                }
                line(out, "STORED");
                expect(in, "FLUSH");
            }
            store.flush();
            line(out, "DONE");
        }
    }

    private static void expect(BufferedReader in, String word) throws IOException {
        String got = in.readLine();
        if (!word.equals(got)) {
            throw new IllegalStateException("expected " + word + " on stdin, got " + got);
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
