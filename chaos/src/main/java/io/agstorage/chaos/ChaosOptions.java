package io.agstorage.chaos;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The settings of one run.
 *
 * @param minutes how long the faults run (the writers start before and the check follows after)
 * @param seed the seed of the fault schedule: the same seed gives the same faults in the same order
 * @param root the repository root (where {@code scripts/timescaledb} is)
 * @param home the dedicated cluster's state directory ({@code AG_TSDB_HOME} of {@code scripts/timescaledb})
 * @param port the dedicated cluster's port
 * @param work where the spool, the journal and the logs of the run go (emptied at the start)
 */
public record ChaosOptions(double minutes, long seed, Path root, Path home, int port, Path work) {

    /** The default port of the dedicated cluster, next to the test tiers' 55432 and 55433. */
    public static final int DEFAULT_PORT = 55434;

    private static final String USAGE =
            "usage: ChaosRun [minutes] [--seed N] [--port P] [--root DIR] [--home DIR] " + "[--work DIR]";

    public ChaosOptions {
        if (!(minutes > 0)) {
            throw new IllegalArgumentException("minutes must be > 0, was " + minutes);
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port must be 1..65535, was " + port);
        }
    }

    /**
     * Parses the command line; unset values: 3 minutes, a random seed, port 55434, root ".", home root/.local/chaos.
     */
    public static ChaosOptions parse(String[] args) {
        double minutes = 3;
        long seed = System.nanoTime() % 1_000_000;
        int port = DEFAULT_PORT;
        Path root = Path.of(".");
        Path home = null;
        Path work = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--seed" -> seed = Long.parseLong(value(args, ++i, a));
                case "--port" -> port = Integer.parseInt(value(args, ++i, a));
                case "--root" -> root = Path.of(value(args, ++i, a));
                case "--home" -> home = Path.of(value(args, ++i, a));
                case "--work" -> work = Path.of(value(args, ++i, a));
                default -> {
                    if (a.startsWith("-")) {
                        throw new IllegalArgumentException("unknown argument '" + a + "'; " + USAGE);
                    }
                    minutes = Double.parseDouble(a);
                }
            }
        }
        root = root.toAbsolutePath().normalize();
        home = home != null ? home.toAbsolutePath() : root.resolve(".local/chaos");
        work = work != null ? work.toAbsolutePath() : home.resolve("run");
        return new ChaosOptions(minutes, seed, root, home, port, work);
    }

    private static String value(String[] args, int i, String name) {
        if (i >= args.length) {
            throw new IllegalArgumentException(name + " needs a value; " + USAGE);
        }
        return args[i];
    }

    long runMillis() {
        return Math.round(minutes * 60_000);
    }

    /** The minutes as given: "2", or "1.5". */
    String minutesText() {
        return minutes == Math.rint(minutes)
                ? Long.toString((long) minutes)
                : String.format(Locale.ROOT, "%s", minutes);
    }
}
