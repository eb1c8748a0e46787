package io.agstorage.otel.mapping;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The points one request claimed in a {@link PointLedger}, and the outcome other copies of them wait for. Created by
 * a {@link PointWriter}; not thread-safe while the request is mapped, its outcome is.
 */
public final class Claims {

    private final CompletableFuture<Void> outcome = new CompletableFuture<>();
    private final List<CompletableFuture<Void>> earlier = new ArrayList<>(0);
    /** The ledger's undo log: what each claim took (ledger-specific) and the point's time. */
    private Object[] slots = new Object[8];

    private long[] times = new long[8];
    private int size;

    /** Completes once this request's points are committed (or spooled); fails when they are not. */
    public CompletableFuture<Void> outcome() {
        return outcome;
    }

    /** Completes once every earlier copy of a point this request found claimed is committed; fails if one was not. */
    public CompletableFuture<Void> earlierCopies() {
        return earlier.isEmpty()
                ? CompletableFuture.completedFuture(null)
                : CompletableFuture.allOf(earlier.toArray(CompletableFuture[]::new));
    }

    /** Whether this request found points claimed by an earlier copy still on its way. */
    public boolean hasPendingEarlierCopies() {
        for (CompletableFuture<Void> e : earlier) {
            if (!e.isDone()) {
                return true;
            }
        }
        return false;
    }

    void waitFor(CompletableFuture<Void> other) {
        if (other != outcome && !other.isDone() && !earlier.contains(other)) {
            earlier.add(other);
        } else if (other.isCompletedExceptionally()) {
            earlier.add(other);
        }
    }

    /** Records a claim, for {@link PointLedger#release}. */
    void add(Object slot, long timeNanos) {
        if (size == slots.length) {
            slots = Arrays.copyOf(slots, Math.max(8, size * 2));
            times = Arrays.copyOf(times, Math.max(8, size * 2));
        }
        slots[size] = slot;
        times[size] = timeNanos;
        size++;
    }

    int size() {
        return size;
    }

    Object slot(int i) {
        return slots[i];
    }

    long time(int i) {
        return times[i];
    }

    /** The points are committed: nothing to withdraw any more (the undo log is let go; ledgers keep this object). */
    void committed() {
        clear();
        outcome.complete(null);
    }

    /** Call after {@link PointLedger#release}: copies waiting on this one learn it failed. */
    void failed(Throwable why) {
        clear();
        outcome.completeExceptionally(why);
    }

    private void clear() {
        slots = new Object[0];
        times = new long[0];
        size = 0;
    }
}
