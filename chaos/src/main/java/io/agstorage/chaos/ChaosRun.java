package io.agstorage.chaos;

import io.agstorage.core.StorageConfig;
import io.agstorage.core.StorageEngine;
import io.agstorage.core.testing.TcpProxy;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The chaos run ({@code scripts/chaos [minutes]}): all doors write known data at once — {@code MetricSeries.record}
 * and {@code insertMetricsBatch}, the Micrometer registry, the OTel SDK against the standalone receiver, an
 * {@code ExecutionStore} in its own process — through a TCP proxy to a cluster of the run's own, while a seeded
 * schedule of faults runs. Then a set check: every acknowledged item stored exactly once. Prints one line per door
 * and, last, {@code chaos: minutes=M faults=N acked=A lost=L duplicated=D}; exits 1 when something was lost or
 * duplicated.
 */
public final class ChaosRun {

    /** The outcome of a run. */
    public record Result(String minutes, int faults, List<DoorResult> doors) {
        public long acked() {
            return doors.stream().mapToLong(DoorResult::acked).sum();
        }

        public long lost() {
            return doors.stream().mapToLong(DoorResult::lost).sum();
        }

        public long duplicated() {
            return doors.stream().mapToLong(DoorResult::duplicated).sum();
        }

        public String lastLine() {
            return "chaos: minutes=" + minutes + " faults=" + faults + " acked=" + acked() + " lost=" + lost()
                    + " duplicated=" + duplicated();
        }
    }

    private ChaosRun() {}

    public static void main(String[] args) throws Exception {
        ChaosOptions options;
        try {
            options = ChaosOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("chaos: " + e.getMessage());
            System.exit(2);
            return;
        }
        Result result = run(options);
        System.exit(result.lost() > 0 || result.duplicated() > 0 ? 1 : 0);
    }

    /** Runs the faults for {@code options.minutes()}, checks, prints the lines and returns the result. */
    public static Result run(ChaosOptions options) throws Exception {
        emptyDirectory(options.work());
        System.setProperty("chaos.log", options.work().resolve("chaos.log").toString());
        System.setProperty("logback.configurationFile", ChildJvm.LOGBACK);
        List<Schedule.Event> schedule = Schedule.of(options.seed(), options.runMillis());
        System.out.println("chaos: seed=" + options.seed() + " minutes=" + options.minutesText() + " schedule="
                + schedule.size() + " faults, cluster 127.0.0.1:" + options.port() + ", logs in " + options.work());
        ChaosCluster cluster = ChaosCluster.start(options);
        cluster.prepare(StoredRows.SCHEMA);
        List<AutoCloseable> resources = new ArrayList<>(); // closed last to first
        List<Door> doors = new ArrayList<>();
        try (TcpProxy proxy = new TcpProxy("127.0.0.1", cluster.port())) {
            int proxyPort = URI.create(
                            proxy.proxiedUrl("jdbc:postgresql://127.0.0.1:1/").substring("jdbc:".length()))
                    .getPort();
            StorageEngine core = StorageEngine.create(engineConfig(proxyPort, "chaos-core"));
            resources.add(core);
            StorageEngine micrometer = StorageEngine.create(engineConfig(proxyPort, "chaos-micrometer"));
            resources.add(micrometer);
            ReceiverProcess receiver = new ReceiverProcess(options.work(), proxyPort);
            ExecutionDoor execution = new ExecutionDoor(options.work(), proxyPort);
            doors.add(new RecordDoor(core));
            doors.add(new BatchDoor(core));
            doors.add(new MicrometerDoor(micrometer));
            doors.add(new OtelDoor(receiver));
            doors.add(execution);
            for (Door door : doors) {
                resources.add(door);
                door.start();
            }
            FaultInjector faults = new FaultInjector(cluster, proxy, receiver, execution.child());
            runSchedule(schedule, faults, options.runMillis());
            System.out.println("chaos: faults done " + faults.done() + "; settling");
            for (Door door : doors) {
                door.stop();
            }
            for (Door door : doors) {
                door.settle();
            }
            List<DoorResult> results = new ArrayList<>();
            try (Connection db = cluster.superuser()) {
                for (Door door : doors) {
                    DoorResult r = door.check(db);
                    results.add(r);
                    System.out.println("chaos: " + r.line());
                }
            }
            Result result = new Result(options.minutesText(), faults.total(), results);
            System.out.println(result.lastLine());
            return result;
        } finally {
            for (int i = resources.size() - 1; i >= 0; i--) {
                try {
                    resources.get(i).close();
                } catch (Exception e) {
                    System.out.println("chaos: closing " + resources.get(i) + " failed: " + e);
                }
            }
        }
    }

    private static void runSchedule(List<Schedule.Event> schedule, FaultInjector faults, long runMillis)
            throws InterruptedException {
        long start = System.currentTimeMillis();
        for (Schedule.Event event : schedule) {
            long wait = start + event.atMillis() - System.currentTimeMillis();
            if (wait > 0) {
                Thread.sleep(wait);
            }
            if (System.currentTimeMillis() - start > runMillis) {
                break; // a slow fault (a restart) pushed the rest out of the run
            }
            System.out.println("chaos: " + event);
            faults.inject(event);
        }
        long rest = start + runMillis - System.currentTimeMillis();
        if (rest > 0) {
            Thread.sleep(rest);
        }
    }

    private static StorageConfig engineConfig(int proxyPort, String application) {
        return StorageConfig.builder()
                .setUrl(ChaosCluster.writerUrl(proxyPort, application))
                .setUser(ChaosCluster.WRITER_ROLE)
                .setSchema(StoredRows.SCHEMA)
                .setMaxConnections(4)
                .setConnectionTimeoutSec(5)
                .setWriteTimeoutMs(5_000)
                .setEnableCache(false)
                .build();
    }

    private static void emptyDirectory(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(dir);
    }
}
