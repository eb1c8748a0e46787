package io.agstorage.otlp.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A {@link GoodClient} exporting on a fixed period, as an application's periodic reader does, timing each export
 * (collection, encoding, the request and the receiver's answer) and counting the failed ones.
 */
public final class ExportLoop implements AutoCloseable {

    private final GoodClient client;
    private final ScheduledExecutorService timer;
    private final List<Long> latenciesNanos = Collections.synchronizedList(new ArrayList<>());
    private volatile int failed;
    private volatile boolean measuring = true;

    public ExportLoop(GoodClient client, Duration period) {
        this.client = client;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "good-client");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::exportOnce, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void exportOnce() {
        long start = System.nanoTime();
        boolean ok = client.export();
        long took = System.nanoTime() - start;
        if (measuring) {
            latenciesNanos.add(took);
            if (!ok) {
                failed++;
            }
        }
    }

    /** Forgets what was measured so far (a warm-up); measures from now on. */
    public void reset() {
        synchronized (latenciesNanos) {
            latenciesNanos.clear();
            failed = 0;
        }
    }

    /** Exports measured since the last reset. */
    public int exports() {
        return latenciesNanos.size();
    }

    /** Failed exports since the last reset. */
    public int failed() {
        return failed;
    }

    /** The {@code q} quantile (0..1) of the export latencies measured, in milliseconds; NaN when none. */
    public double quantileMs(double q) {
        List<Long> copy;
        synchronized (latenciesNanos) {
            copy = new ArrayList<>(latenciesNanos);
        }
        if (copy.isEmpty()) {
            return Double.NaN;
        }
        Collections.sort(copy);
        int index = (int) Math.ceil(q * copy.size()) - 1;
        return copy.get(Math.max(0, Math.min(copy.size() - 1, index))) / 1e6;
    }

    /** Stops exporting and measuring (an export in flight is not waited for past 60 s). */
    @Override
    public void close() {
        timer.shutdown();
        try {
            if (!timer.awaitTermination(60, TimeUnit.SECONDS)) {
                timer.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        measuring = false;
    }
}
