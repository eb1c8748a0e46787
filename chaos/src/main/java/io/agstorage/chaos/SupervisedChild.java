package io.agstorage.chaos;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;

/**
 * A child JVM kept running: started again whenever it is not alive (after a {@code kill -9}, or when it gave up at
 * start because the database was unreachable). Each start is a numbered generation with stdout in a file of its own
 * (reading a pipe races with the JDK draining it when the process dies).
 */
final class SupervisedChild implements AutoCloseable {

    private final String name;
    private final Path directory;
    private final IntFunction<ProcessBuilder> launcher;
    private final AtomicInteger generations = new AtomicInteger();
    private final List<Path> outputs = new ArrayList<>();
    private final Thread supervisor;
    private volatile @Nullable Process process;
    private volatile boolean stopped;
    private int kills;

    /**
     * @param launcher the process of a generation (without its stdout redirection)
     */
    SupervisedChild(String name, Path directory, IntFunction<ProcessBuilder> launcher) {
        this.name = name;
        this.directory = directory;
        this.launcher = launcher;
        this.supervisor = new Thread(this::supervise, "chaos-supervisor-" + name);
        supervisor.setDaemon(true);
    }

    /** Starts the first generation now and keeps one running from then on. */
    void start() throws IOException {
        launch();
        supervisor.start();
    }

    private synchronized void launch() throws IOException {
        if (stopped) {
            return;
        }
        int generation = generations.incrementAndGet();
        Path stdout = directory.resolve(name + "-" + generation + ".out");
        outputs.add(stdout);
        process = launcher.apply(generation)
                .redirectOutput(stdout.toFile())
                .redirectError(
                        directory.resolve(name + "-" + generation + ".err").toFile())
                .start();
    }

    private void supervise() {
        while (!stopped) {
            Process p = process;
            try {
                if (p == null || !p.isAlive()) {
                    launch();
                }
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                System.err.println("chaos: cannot start " + name + ": " + e);
            }
        }
    }

    /** {@code kill -9} of the running generation; the supervisor starts the next one. */
    void kill() throws InterruptedException {
        Process p = process;
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
            p.waitFor(20, TimeUnit.SECONDS);
            synchronized (this) {
                kills++;
            }
        }
    }

    /** Stops supervising and ends the running generation: SIGTERM (then SIGKILL after 60 s), or SIGKILL. */
    void stop(boolean graceful) throws InterruptedException {
        synchronized (this) {
            stopped = true;
        }
        supervisor.interrupt();
        supervisor.join(10_000);
        Process p = process;
        if (p != null && p.isAlive()) {
            if (graceful) {
                p.destroy();
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } else {
                p.destroyForcibly();
            }
            p.waitFor(20, TimeUnit.SECONDS);
        }
    }

    boolean isAlive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    synchronized List<Path> outputs() {
        return List.copyOf(outputs);
    }

    int generations() {
        return generations.get();
    }

    synchronized int kills() {
        return kills;
    }

    @Override
    public void close() throws InterruptedException {
        stop(false);
    }
}
