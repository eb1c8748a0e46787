package io.agstorage.chaos;

import io.agstorage.core.MetricSeries;
import io.agstorage.core.StorageEngine;
import java.sql.Connection;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code MetricSeries.record}: 100 points a step over four series, each point with its own value (its sequence
 * number) and time, then {@code flushBuffer()}. A point is acknowledged when {@code record} returned true and a later
 * flush succeeded; a point {@code record} refused (buffer full) must never be stored. A flush that threw leaves its
 * points waiting for the next one: a flush's contract is that everything buffered before it is committed when it
 * returns, so a point the engine dropped meanwhile (and reported only in a log line and a counter) counts as lost.
 */
final class RecordDoor implements Door {

    static final String METRIC = "chaos_record";
    private static final int SERIES = 4;
    private static final int POINTS_PER_STEP = 100;

    private final StorageEngine engine;
    private final Ledger<Long> ledger = new Ledger<>();
    private final MetricSeries[] series = new MetricSeries[SERIES];
    private final List<Long> unflushed = new ArrayList<>();
    private final long baseMicros = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
    private final Loop loop;
    private long next = 1;

    RecordDoor(StorageEngine engine) {
        this.engine = engine;
        for (int i = 0; i < SERIES; i++) {
            series[i] = engine.series(METRIC, Map.of("series", "s" + i));
        }
        this.loop = new Loop(name(), 20, this::step);
    }

    @Override
    public String name() {
        return "record";
    }

    @Override
    public void start() {
        loop.start();
    }

    private void step() {
        for (int i = 0; i < POINTS_PER_STEP; i++) {
            long seq = next++;
            if (series[(int) (seq % SERIES)].record(seq, baseMicros + seq)) {
                ledger.sent(seq);
                unflushed.add(seq);
            }
        }
        flush();
    }

    /** flushBuffer(); when it returns, every point recorded before is committed: acknowledged. */
    private void flush() {
        engine.flushBuffer();
        unflushed.forEach(ledger::acked);
        unflushed.clear();
    }

    @Override
    public void stop() throws InterruptedException {
        loop.stop();
    }

    @Override
    public void settle() throws InterruptedException {
        long deadline = System.nanoTime() + 90_000_000_000L;
        while (System.nanoTime() < deadline) {
            try {
                flush();
                return;
            } catch (RuntimeException e) {
                Thread.sleep(500);
            }
        }
    }

    @Override
    public DoorResult check(Connection db) throws Exception {
        return ledger.check(name(), "points", StoredRows.countByValue(db, METRIC), loop.errors());
    }

    @Override
    public void close() {}
}
