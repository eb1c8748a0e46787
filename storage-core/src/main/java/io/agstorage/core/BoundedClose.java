package io.agstorage.core;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a resource within a deadline: the close runs on a daemon thread, and when it is not done by the deadline
 * (a connection pool still waiting for a connection attempt to an unreachable server) it finishes in the background
 * and the caller goes on. Keeps {@link StorageEngine#close()} bounded by the write timeout plus about a second.
 */
final class BoundedClose {

    private static final Logger log = LoggerFactory.getLogger(StorageEngine.class);

    private BoundedClose() {}

    static void close(AutoCloseable resource, String name, long deadlineNanos) {
        Thread closer = new Thread(
                () -> {
                    try {
                        resource.close();
                    } catch (Exception e) {
                        log.warn("Closing the {} failed: {}", name, e.toString());
                    }
                },
                "ag-storage-close-" + name);
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closer.isAlive()) {
            log.warn("The {} is still closing; it finishes in the background", name);
        }
    }
}
