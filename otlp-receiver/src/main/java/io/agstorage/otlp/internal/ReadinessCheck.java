package io.agstorage.otlp.internal;

import io.agstorage.core.IngestionStats;
import io.agstorage.core.StorageEngine;
import io.agstorage.core.spool.SampleSpool;
import io.agstorage.otlp.Readiness;
import io.grpc.BindableService;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiver's readiness: started and not stopping, the database reachable (a connection from the engine's pool
 * checked once a second on a thread of its own, so an answer never waits on the network: a check that takes longer
 * than {@link #PROBE_TIMEOUT_MS} counts as unreachable), room in the ingestion buffer, and room on the spool's disk.
 * Publishes it to the standard gRPC health service ({@code ""} and the OTLP metrics service: SERVING or NOT_SERVING)
 * every half second.
 */
public final class ReadinessCheck implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReadinessCheck.class);

    /** The longest a database check may take before the database counts as unreachable. */
    public static final long PROBE_TIMEOUT_MS = 5_000;
    /** Free bytes the spool's disk must keep: four journal records of 16 MiB. */
    public static final long SPOOL_MIN_FREE_BYTES = 64L * 1024 * 1024;

    static final String METRICS_SERVICE = "opentelemetry.proto.collector.metrics.v1.MetricsService";

    private final StorageEngine engine;
    private final @Nullable SampleSpool spool;
    private final HealthStatusManager health = new HealthStatusManager();
    private final ScheduledExecutorService scheduler;
    private volatile boolean started;
    private volatile boolean stopping;
    /** When the running database check started ({@link System#nanoTime}, never 0), or 0 when none runs. */
    private volatile long probeStarted;
    /** Why the last database check failed, or null when it passed. */
    private volatile @Nullable String databaseProblem = "database not checked yet";

    private boolean loggedUnreachable;

    public ReadinessCheck(StorageEngine engine, @Nullable SampleSpool spool) {
        this.engine = engine;
        this.spool = spool;
        AtomicInteger n = new AtomicInteger();
        this.scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "otlp-readiness-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.NOT_SERVING);
        health.setStatus(METRICS_SERVICE, ServingStatus.NOT_SERVING);
    }

    /** The standard {@code grpc.health.v1.Health} service, for the gRPC server. */
    public BindableService healthService() {
        return health.getHealthService();
    }

    /** The receiver serves from now on: checks the database at once, then every second. */
    public void start() {
        started = true;
        scheduler.scheduleWithFixedDelay(this::probe, 0, 1, TimeUnit.SECONDS);
        scheduler.scheduleWithFixedDelay(this::publish, 0, 500, TimeUnit.MILLISECONDS);
    }

    /** Readiness now: cheap (no database call), safe from any thread. */
    public Readiness check() {
        List<String> problems = new ArrayList<>(2);
        if (stopping) {
            return new Readiness(false, "receiver stopping");
        }
        if (!started) {
            return new Readiness(false, "receiver starting");
        }
        if (engine.isClosed()) {
            return new Readiness(false, "storage engine closed");
        }
        long since = probeStarted;
        if (since != 0 && System.nanoTime() - since > TimeUnit.MILLISECONDS.toNanos(PROBE_TIMEOUT_MS)) {
            problems.add("database unreachable (no connection within " + PROBE_TIMEOUT_MS + " ms)");
        } else if (databaseProblem != null) {
            problems.add(databaseProblem);
        }
        IngestionStats stats = engine.ingestionStats();
        if (stats.queueDepth() >= stats.bufferSize()) {
            problems.add(
                    "ingestion buffer full (" + stats.queueDepth() + " of " + stats.bufferSize() + " entries waiting)");
        }
        if (spool != null) {
            String spoolProblem = spoolProblem(spool);
            if (spoolProblem != null) {
                problems.add(spoolProblem);
            }
        }
        return problems.isEmpty() ? Readiness.READY : new Readiness(false, String.join("; ", problems));
    }

    private static @Nullable String spoolProblem(SampleSpool spool) {
        try {
            long free = Files.getFileStore(spool.directory()).getUsableSpace();
            if (free < SPOOL_MIN_FREE_BYTES) {
                return "spool full (" + (free >> 20) + " MiB free on its disk, needs " + (SPOOL_MIN_FREE_BYTES >> 20)
                        + " MiB)";
            }
            return null;
        } catch (IOException e) {
            return "spool directory unusable (" + e.getClass().getSimpleName() + ")";
        }
    }

    private void probe() {
        probeStarted = System.nanoTime() | 1;
        String problem;
        try (Connection c = engine.dataSource().getConnection()) {
            problem = c.isValid((int) TimeUnit.MILLISECONDS.toSeconds(PROBE_TIMEOUT_MS))
                    ? null
                    : "database unreachable (connection check failed)";
        } catch (SQLException e) {
            problem = "database unreachable (SQLSTATE " + e.getSQLState() + ")";
            if (!loggedUnreachable) {
                log.warn("Readiness: database unreachable: {}", e.getMessage());
            }
        } catch (RuntimeException e) {
            problem = "database unreachable (" + e.getClass().getSimpleName() + ")";
            if (!loggedUnreachable) {
                log.warn("Readiness: database check failed: {}", e.toString());
            }
        } finally {
            probeStarted = 0;
        }
        if (problem == null && loggedUnreachable) {
            log.info("Readiness: database reachable again");
        }
        loggedUnreachable = problem != null;
        databaseProblem = problem;
    }

    private void publish() {
        try {
            ServingStatus status = check().ready() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
            health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status);
            health.setStatus(METRICS_SERVICE, status);
        } catch (RuntimeException e) {
            log.warn("Readiness: publishing the gRPC health status failed: {}", e.toString());
        }
    }

    /** Not ready from now on (gRPC health: NOT_SERVING for good); stops the checks. Idempotent. */
    @Override
    public void close() {
        stopping = true;
        health.enterTerminalState();
        scheduler.shutdownNow();
    }
}
