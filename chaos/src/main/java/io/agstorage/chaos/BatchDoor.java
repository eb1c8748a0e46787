package io.agstorage.chaos;

import io.agstorage.core.MetricPoint;
import io.agstorage.core.StorageEngine;
import java.sql.Connection;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code insertMetricsBatch}: batches of 100 points over four series, each point with its own value (its sequence
 * number) and time. A batch is acknowledged when the call returned normally; a batch whose call threw may be stored
 * once or not at all, never twice (the run never retries it).
 */
final class BatchDoor implements Door {

    static final String METRIC = "chaos_batch";
    private static final int SERIES = 4;
    private static final int BATCH = 100;

    private final StorageEngine engine;
    private final Ledger<Long> ledger = new Ledger<>();
    private final Instant base = Instant.now();
    private final Loop loop;
    private long next = 1;

    BatchDoor(StorageEngine engine) {
        this.engine = engine;
        this.loop = new Loop(name(), 20, this::step);
    }

    @Override
    public String name() {
        return "batch";
    }

    @Override
    public void start() {
        loop.start();
    }

    private void step() {
        List<MetricPoint> points = new ArrayList<>(BATCH);
        List<Long> seqs = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            long seq = next++;
            points.add(MetricPoint.of(METRIC, seq)
                    .withLabel("series", "s" + seq % SERIES)
                    .at(base.plus(seq, ChronoUnit.MICROS)));
            seqs.add(seq);
            ledger.sent(seq);
        }
        engine.insertMetricsBatch(points);
        seqs.forEach(ledger::acked);
    }

    @Override
    public void stop() throws InterruptedException {
        loop.stop();
    }

    @Override
    public void settle() {
        // synchronous: nothing acknowledged waits anywhere
    }

    @Override
    public DoorResult check(Connection db) throws Exception {
        return ledger.check(name(), "points", StoredRows.countByValue(db, METRIC), loop.errors());
    }

    @Override
    public void close() {}
}
