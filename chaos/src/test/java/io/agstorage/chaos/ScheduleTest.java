package io.agstorage.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleTest {

    @Test
    void theSameSeedGivesTheSameSchedule() {
        assertThat(Schedule.of(7, 120_000)).isEqualTo(Schedule.of(7, 120_000));
        assertThat(Schedule.of(7, 120_000)).isNotEqualTo(Schedule.of(8, 120_000));
    }

    @Test
    void aOneMinuteRunHasEveryKindOfFault() {
        for (long seed = 0; seed < 50; seed++) {
            List<Schedule.Event> events = Schedule.of(seed, 60_000);
            EnumSet<Fault> kinds = EnumSet.noneOf(Fault.class);
            events.forEach(e -> kinds.add(e.fault()));
            assertThat(kinds).as("seed %d: %s", seed, events).containsExactlyInAnyOrder(Fault.values());
        }
    }

    @Test
    void faultsEndBeforeTheRunDoes() {
        assertThat(Schedule.of(3, 60_000))
                .allSatisfy(e -> assertThat(e.atMillis() + e.durationMillis()).isLessThan(60_000));
    }
}
