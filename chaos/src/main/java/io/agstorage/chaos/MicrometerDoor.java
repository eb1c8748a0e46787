package io.agstorage.chaos;

import io.agstorage.core.StorageEngine;
import io.agstorage.micrometer.PublishStats;
import io.agstorage.micrometer.TimescaleConfig;
import io.agstorage.micrometer.TimescaleMeterRegistry;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import java.sql.Connection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Micrometer registry: five counters, each increased by a known amount a round; then the registry's clock moves
 * one step on and the run waits for the registry's publish of that step. The registry stores one row per counter and
 * step, stamped at the step's end, holding the step's increase: a round is acknowledged when its publish was
 * counted as committed ({@link PublishStats#publishes()}), and then each of its rows must be stored exactly once with
 * exactly that value. The clock is the run's own (a step per round), so the steps, and the rows, are known.
 */
final class MicrometerDoor implements Door {

    static final String METRIC = "chaos_micrometer";
    private static final int SERIES = 5;
    private static final long STEP_MILLIS = 1_000;

    private final SteppedClock clock = new SteppedClock(STEP_MILLIS);
    private final TimescaleMeterRegistry registry;
    private final Counter[] counters = new Counter[SERIES];
    private final Ledger<String> ledger = new Ledger<>();
    private final Loop loop;
    private long round;

    MicrometerDoor(StorageEngine engine) {
        TimescaleConfig config = key -> switch (key) {
            case "timescale.step" -> "1s";
            case "timescale.publishTimeout" -> "5s";
            default -> null;
        };
        this.registry = TimescaleMeterRegistry.builder(config)
                .clock(clock)
                .storageEngine(engine)
                .build();
        for (int i = 0; i < SERIES; i++) {
            counters[i] =
                    Counter.builder("chaos.micrometer").tag("series", "s" + i).register(registry);
        }
        this.loop = new Loop(name(), 0, this::round);
    }

    @Override
    public String name() {
        return "micrometer";
    }

    @Override
    public void start() throws InterruptedException {
        // A first step of zeros, so that the registry's first publish cannot be taken for the first round's.
        PublishStats before = registry.publishStats();
        clock.advance();
        awaitPublish(before, 0);
        loop.start();
    }

    /** Increments every counter, ends the step, and waits for its publish (committed, failed or timed out). */
    private void round() throws InterruptedException {
        round++;
        long stepEnd = clock.wallTime() + STEP_MILLIS; // the step now running ends there (the clock sits on a boundary)
        String[] keys = new String[SERIES];
        for (int i = 0; i < SERIES; i++) {
            long amount = round * 10 + i + 1;
            counters[i].increment(amount);
            keys[i] = StoredRows.stepKey("s" + i, stepEnd, amount);
            ledger.sent(keys[i]);
        }
        PublishStats before = registry.publishStats();
        clock.advance();
        PublishStats after = awaitPublish(before, stepEnd);
        if (after.publishes() > before.publishes() && after.failures() == before.failures()) {
            for (String key : keys) {
                ledger.acked(key);
            }
        } else {
            throw new IllegalStateException("publish of step " + stepEnd + " failed");
        }
    }

    private PublishStats awaitPublish(PublishStats before, long stepEnd) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        PublishStats after = before;
        while (after.publishes() + after.failures() == before.publishes() + before.failures()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no publish of step " + stepEnd + " within 60 s");
            }
            Thread.sleep(20);
            after = registry.publishStats();
        }
        return after;
    }

    @Override
    public void stop() throws InterruptedException {
        loop.stop();
    }

    @Override
    public void settle() {
        // a publish waits for its commit: nothing acknowledged waits anywhere
    }

    @Override
    public DoorResult check(Connection db) throws Exception {
        return ledger.check(name(), "counter steps", StoredRows.countByStep(db, METRIC), loop.errors());
    }

    @Override
    public void close() {
        registry.close();
    }

    /** The registry's clock: stands on a step boundary and moves one step when told (monotonic time follows it). */
    static final class SteppedClock implements Clock {
        private final long stepMillis;
        private final AtomicLong wall;

        SteppedClock(long stepMillis) {
            this.stepMillis = stepMillis;
            this.wall = new AtomicLong(System.currentTimeMillis() / stepMillis * stepMillis);
        }

        void advance() {
            wall.addAndGet(stepMillis);
        }

        @Override
        public long wallTime() {
            return wall.get();
        }

        @Override
        public long monotonicTime() {
            return TimeUnit.MILLISECONDS.toNanos(wall.get());
        }
    }
}
