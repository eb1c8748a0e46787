package io.agstorage.micrometer.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/** Logs a recurring problem at most once per interval, saying how many occurrences it left out. */
public final class ThrottledLog {

    private final Logger log;
    private final long intervalNanos;
    private final AtomicLong lastLogNanos = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong suppressed = new AtomicLong();

    public ThrottledLog(Logger log, long interval, TimeUnit unit) {
        this.log = log;
        this.intervalNanos = unit.toNanos(interval);
    }

    /** Logs at warn level (with {@code error}'s stack trace, if any) unless it logged within the interval. */
    public void warn(String message, Throwable error) {
        if (acquire()) {
            long left = suppressed.getAndSet(0);
            log.warn(left > 0 ? message + " (" + left + " similar messages suppressed)" : message, error);
        }
    }

    /** Logs at warn level unless it logged within the interval. */
    public void warn(String message) {
        if (acquire()) {
            long left = suppressed.getAndSet(0);
            log.warn(left > 0 ? message + " (" + left + " similar messages suppressed)" : message);
        }
    }

    private boolean acquire() {
        long now = System.nanoTime();
        long last = lastLogNanos.get();
        if ((last == Long.MIN_VALUE || now - last >= intervalNanos) && lastLogNanos.compareAndSet(last, now)) {
            return true;
        }
        suppressed.incrementAndGet();
        return false;
    }
}
