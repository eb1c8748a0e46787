package io.agstorage.chaos;

import java.util.Locale;

/**
 * What the check found for one door.
 *
 * @param door the door's name
 * @param unit what an item is (a point, an increment of a counter, an order or a fill)
 * @param acked items the API acknowledged as stored
 * @param unacked items sent without an acknowledgement (each may be stored once, or not at all)
 * @param lost acknowledged items not stored
 * @param duplicated items stored more often than sent (twice, or once without being sent)
 * @param errors calls that failed during the run (expected under faults; the items they carried are unacked)
 */
record DoorResult(String door, String unit, long acked, long unacked, long lost, long duplicated, long errors) {

    String line() {
        return String.format(
                Locale.ROOT,
                "door %-11s acked=%d unacked=%d lost=%d duplicated=%d errors=%d (%s)",
                door,
                acked,
                unacked,
                lost,
                duplicated,
                errors,
                unit);
    }
}
