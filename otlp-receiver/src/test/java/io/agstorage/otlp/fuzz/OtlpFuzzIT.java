package io.agstorage.otlp.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.testing.TestDatabase;
import org.junit.jupiter.api.Test;

/** A short run of {@code scripts/fuzz}: 3,000 generated requests against a receiver on the test database. */
class OtlpFuzzIT {

    @Test
    void threeThousandMutatedRequestsGetOnlyOtlpStatusesCrashNothingAndStoreNoRefusedPoint() throws Exception {
        OtlpFuzzer.Result r = new OtlpFuzzer(TestDatabase.apache(), 7, 2).run(3_000);
        System.out.println(r.line());
        assertThat(r.findings()).as(r.line()).isEmpty();
        assertThat(r.crashes()).isZero();
        assertThat(r.badRows()).isZero();
        assertThat(r.statuses().keySet()).isSubsetOf(OtlpFuzzer.ALLOWED);
        assertThat(r.statuses().get(200)).isPositive();
        assertThat(r.statuses().get(400)).isPositive();
    }
}
