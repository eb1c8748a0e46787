package io.agstorage.core.logging;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs a recurring problem at most once per interval, saying how many occurrences it left out: a database outage
 * retried every few milliseconds, or a stream of refused points, yields one warning a minute, not thousands.
 * Thread-safe; the first warning is always logged.
 */
public final class ThrottledLog {

    private final Logger log;
    private final long intervalNanos;
    private final AtomicLong lastLogNanos = new AtomicLong();
    private final AtomicLong suppressed = new AtomicLong();
    private volatile boolean logged;

    /** Warns through {@code log} at most once per {@code interval}. */
    public ThrottledLog(Logger log, Duration interval) {
        this.log = Objects.requireNonNull(log, "log");
        this.intervalNanos = interval.toNanos();
        if (intervalNanos <= 0) {
            throw new IllegalArgumentException("interval must be > 0, was " + interval);
        }
    }

    /**
     * Logs at warn level, SLF4J style ({@code {}} placeholders, a trailing {@link Throwable} logged with its
     * stack trace), unless it logged within the interval; the next warning logged says how many were left out.
     *
     * @return whether it logged
     */
    public boolean warn(String format, Object... args) {
        if (!acquire()) {
            return false;
        }
        long left = suppressed.getAndSet(0);
        log.warn(left > 0 ? format + " (" + left + " similar messages suppressed)" : format, args);
        return true;
    }

    private boolean acquire() {
        long now = System.nanoTime();
        long last = lastLogNanos.get();
        boolean due = !logged || now - last >= intervalNanos;
        if (due && lastLogNanos.compareAndSet(last, now)) {
            logged = true;
            return true;
        }
        suppressed.incrementAndGet();
        return false;
    }
}
