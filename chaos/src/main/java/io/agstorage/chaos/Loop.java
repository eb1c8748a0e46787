package io.agstorage.chaos;

import java.util.concurrent.atomic.LongAdder;

/** A writer thread: runs a step again and again, a pause between steps, until stopped; counts failed steps. */
final class Loop {

    /** One step of a workload. */
    interface Step {
        void run() throws Exception;
    }

    private final Thread thread;
    private final LongAdder errors = new LongAdder();
    private volatile boolean running = true;

    Loop(String name, long pauseMillis, Step step) {
        this.thread = new Thread(
                () -> {
                    while (running) {
                        try {
                            step.run();
                        } catch (InterruptedException e) {
                            return;
                        } catch (Exception | Error e) {
                            errors.increment();
                        }
                        try {
                            Thread.sleep(pauseMillis); // pacing, so that two cores also serve the database
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "chaos-" + name);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Stops after the current step; waits for it up to two minutes (a step's calls are bounded by timeouts). */
    void stop() throws InterruptedException {
        running = false;
        thread.join(120_000);
    }

    long errors() {
        return errors.sum();
    }
}
