package io.agstorage.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The short chaos run CI does: one minute of faults with a fixed seed ({@code AG_CHAOS_SEED} replaces it), on a
 * cluster of its own ({@code scripts/timescaledb} in {@code .local/chaos-it}, port {@code AG_CHAOS_PORT} or 55434),
 * since the faults restart it.
 */
class ChaosRunIT {

    private static final long SEED = 12;

    @Test
    void everyAcknowledgedItemOfEveryDoorIsStoredExactlyOnceWhileFaultsRun() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Path home = root.resolve(".local/chaos-it");
        ChaosOptions options = new ChaosOptions(1, seed(), root, home, port(), home.resolve("run"));

        ChaosRun.Result result = ChaosRun.run(options);

        assertThat(result.faults()).as("faults carried out").isPositive();
        assertThat(result.doors())
                .as("every door had acknowledged items to check")
                .allSatisfy(door -> assertThat(door.acked()).as(door.line()).isPositive());
        assertThat(result.lost()).as(result.lastLine()).isZero();
        assertThat(result.duplicated()).as(result.lastLine()).isZero();
    }

    /** The faults' cluster is this test's alone: stopped after it, so that scripts/chaos can take the port. */
    @AfterAll
    static void stopTheCluster() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        ProcessBuilder stop = new ProcessBuilder(
                        root.resolve("scripts/timescaledb").toString(), "stop")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        stop.environment().put("AG_TSDB_HOME", root.resolve(".local/chaos-it").toString());
        stop.environment().put("AG_TSDB_PORT", Integer.toString(port()));
        assertThat(stop.start().waitFor(60, TimeUnit.SECONDS))
                .as("scripts/timescaledb stop")
                .isTrue();
    }

    private static long seed() {
        String seed = System.getenv("AG_CHAOS_SEED");
        return seed == null || seed.isBlank() ? SEED : Long.parseLong(seed);
    }

    private static int port() {
        String port = System.getenv("AG_CHAOS_PORT");
        return port == null || port.isBlank() ? ChaosOptions.DEFAULT_PORT : Integer.parseInt(port);
    }
}
