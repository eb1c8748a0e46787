package io.agstorage.otlp.testing;

import io.agstorage.core.StorageConfig;
import io.agstorage.core.StorageEngine;
import io.agstorage.core.journal.SyncPolicy;
import io.agstorage.otlp.OtlpReceiver;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The child JVM of the spool crash test: an {@link OtlpReceiver} on OTLP/HTTP with a spool, storing through the
 * JDBC URL it is given (the test's proxy, so the test can cut the database). Prints {@code PORT <http port>} on
 * stdout once it serves, then runs until it is killed, or until its stdin closes (the test JVM went away).
 *
 * <p>Arguments: jdbc url, schema, spool directory.
 */
public final class SpoolingReceiver {

    private SpoolingReceiver() {}

    public static void main(String[] args) throws IOException {
        // stdout carries only the protocol line, in one write(2); logging goes to stderr
        FileOutputStream out = new FileOutputStream(FileDescriptor.out);
        System.setOut(System.err);
        StorageConfig config = StorageConfig.builder()
                .setUrl(args[0])
                .setSchema(args[1])
                .setMaxConnections(4)
                .setConnectionTimeoutSec(10)
                .setBatchSize(1_000)
                .setFlushIntervalMs(100)
                .setMaxBufferSize(8_192)
                .setWriteTimeoutMs(20_000)
                .setEnableCache(false)
                .build();
        StorageEngine engine = StorageEngine.create(config);
        OtlpReceiver receiver = OtlpReceiver.builder()
                .setEngine(engine)
                .setHost("127.0.0.1")
                .setGrpcPort(-1)
                .setHttpPort(0)
                .setSpool(Path.of(args[2]))
                .setSpoolSyncPolicy(SyncPolicy.BATCH)
                .start();
        out.write(("PORT " + receiver.httpPort() + "\n").getBytes(StandardCharsets.UTF_8));
        while (System.in.read() >= 0) {
            // the test never writes; EOF means it is gone
        }
        System.exit(0);
    }
}
