package io.agstorage.chaos;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The standalone OTLP receiver in a child JVM ({@link ChildJvm#RECEIVER_MAIN}), configured through its environment:
 * OTLP/HTTP on a fixed loopback port (the same after every restart), a spool directory that every generation reopens,
 * the database through the run's proxy as the writer role, no retention scheduler.
 */
final class ReceiverProcess {

    private final SupervisedChild child;
    private final int httpPort;

    ReceiverProcess(Path work, int proxyPort) throws IOException {
        this.httpPort = freePort();
        Path spool = Files.createDirectories(work.resolve("receiver-spool"));
        this.child = new SupervisedChild("receiver", work, generation -> {
            ProcessBuilder pb =
                    ChildJvm.java(ChildJvm.RECEIVER_MAIN, work.resolve("receiver-" + generation + ".log"), List.of());
            Map<String, String> env = pb.environment();
            env.put("AG_STORAGE_DATABASE_URL", ChaosCluster.writerUrl(proxyPort, "chaos-receiver"));
            env.put("AG_STORAGE_DATABASE_USER", ChaosCluster.WRITER_ROLE);
            env.put("AG_STORAGE_DATABASE_SCHEMA", StoredRows.SCHEMA);
            env.put("AG_STORAGE_DATABASE_MAX_CONNECTIONS", "4");
            env.put("AG_STORAGE_DATABASE_CONNECTION_TIMEOUT_SEC", "5");
            env.put("AG_STORAGE_INGESTION_WRITE_TIMEOUT_MS", "5000");
            env.put("AG_STORAGE_QUERY_ENABLE_CACHE", "false");
            env.put("AG_STORAGE_RECEIVER_HOST", "127.0.0.1");
            env.put("AG_STORAGE_RECEIVER_HTTP_PORT", Integer.toString(httpPort));
            env.put("AG_STORAGE_RECEIVER_GRPC_PORT", "-1");
            env.put("AG_STORAGE_RECEIVER_SPOOL_DIRECTORY", spool.toString());
            env.put("AG_STORAGE_RECEIVER_SPOOL_SYNC", "batch");
            env.put("AG_STORAGE_RECEIVER_RETENTION_INTERVAL_MINUTES", "0");
            return pb;
        });
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    int httpPort() {
        return httpPort;
    }

    void start() throws IOException {
        child.start();
    }

    void kill() throws InterruptedException {
        child.kill();
    }

    void stop(boolean graceful) throws InterruptedException {
        child.stop(graceful);
    }

    int kills() {
        return child.kills();
    }

    int generations() {
        return child.generations();
    }
}
