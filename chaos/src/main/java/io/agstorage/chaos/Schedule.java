package io.agstorage.chaos;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A random schedule of faults drawn from a seed: the same seed and length give the same faults, durations and
 * pauses, so a failing run can be replayed. Faults are drawn as from a bag holding each kind once, refilled when
 * empty, so that every run of a dozen faults or more has each kind (a one-minute run has about a dozen). They run one
 * after another, each 0.5 to 3.5 s long, with a pause of 1 to 3 s after each so that the writers make progress.
 */
final class Schedule {

    /** One fault, {@code atMillis} after the faults begin, lasting {@code durationMillis} where it has a duration. */
    record Event(long atMillis, Fault fault, long durationMillis) {
        @Override
        public String toString() {
            return String.format("+%.1fs %s %dms", atMillis / 1000.0, fault, durationMillis);
        }
    }

    /** No fault in the first seconds (the writers warm up) nor in the last ones (a fault must end before the run). */
    private static final long QUIET_START_MILLIS = 3_000;

    private static final long QUIET_END_MILLIS = 6_000;

    private Schedule() {}

    static List<Event> of(long seed, long runMillis) {
        Random random = new Random(seed);
        List<Fault> bag = new ArrayList<>();
        List<Event> events = new ArrayList<>();
        long t = QUIET_START_MILLIS;
        while (t < runMillis - QUIET_END_MILLIS) {
            if (bag.isEmpty()) {
                bag.addAll(List.of(Fault.values()));
                Collections.shuffle(bag, random);
            }
            long duration = 500 + random.nextInt(3_000);
            events.add(new Event(t, bag.remove(bag.size() - 1), duration));
            t += duration + 1_000 + random.nextInt(2_000);
        }
        return events;
    }
}
