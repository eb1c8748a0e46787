package io.agstorage.otlp;

import io.agstorage.core.ConfigTree;
import io.agstorage.core.StorageConfig;
import io.agstorage.core.StorageEngine;
import io.agstorage.core.journal.SyncPolicy;
import io.agstorage.core.retention.RetentionMetrics;
import io.agstorage.core.retention.RetentionScheduler;
import io.agstorage.micrometer.StorageEngineMetrics;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone receiver: {@code java -jar ag-storage-otlp-receiver-<version>-receiver.jar --config config.yaml}.
 *
 * <p>The YAML file has the ag-storage sections ({@code database}, {@code ingestion}, {@code retention},
 * {@code query}) plus a {@code receiver} section:
 * <pre>{@code
 * receiver:
 *   host: 127.0.0.1            # address to bind; another one needs bearer_token or tls_client_ca
 *   allow_unauthenticated: false   # true: accept a non-loopback host without token nor client certificates
 *   grpc_port: 4317            # -1: off
 *   http_port: 4318            # -1: off
 *   max_body_bytes: 16777216   # larger requests get 413 / RESOURCE_EXHAUSTED
 *   bearer_token: ""           # when set, required as "Authorization: Bearer <token>"
 *   tls_cert: ""               # PEM certificate chain; with tls_key, both endpoints use TLS
 *   tls_key: ""                # PEM PKCS#8 private key
 *   tls_client_ca: ""          # PEM CA certificates: clients must present a certificate they signed (mutual TLS)
 *   request_timeout_ms: 30000  # an HTTP request's headers and body must arrive within it (408)
 *   idle_timeout_ms: 60000     # connections without a request for that long are closed
 *   max_connections: 1024      # per port; more are closed at once
 *   max_in_flight_bytes: 134217728  # request bytes held at once across OTLP/HTTP connections (503 past it)
 *   max_header_bytes: 16384    # HTTP headers (431) and gRPC metadata
 *   grpc_max_concurrent_calls: 32   # per connection
 *   grpc_permit_keepalive_ms: 10000 # clients pinging more often are disconnected
 *   http_threads: 16
 *   max_cumulative_series: 1000000
 *   spool_directory: ag-storage-spool/<schema>   # answer once spooled here; "": answer after the commit instead
 *   spool_sync: batch          # none | batch | always: how far a spooled request is forced to disk before the answer
 *   # retention_interval_minutes: 15  # deprecated: retention.interval_sec / retention.enabled (0: enabled false)
 *   admin_port: 13133          # GET /health/live, /health/ready, /metrics on host (AdminServer); 0: any free; -1: off
 * }</pre>
 * Unlike the library's {@link OtlpReceiver.Builder} (no spool unless set), the standalone receiver spools by default,
 * as a Collector export target: requests are answered once in the spool and committed many per transaction.
 * Environment variables override the file: {@code AG_STORAGE_RECEIVER_<KEY>} (e.g.
 * {@code AG_STORAGE_RECEIVER_BEARER_TOKEN}) and the usual {@code AG_STORAGE_<SECTION>_<KEY>}. SIGTERM (or Ctrl-C)
 * stops accepting requests, lets those in flight finish, flushes and closes the engine. Its engine runs the ag-storage
 * retention scheduler (one leader across every JVM on the database) as every engine does: {@code retention.enabled},
 * {@code retention.interval_sec} (see {@link io.agstorage.core.RetentionSchedule}).
 */
public final class OtlpReceiverMain {

    private static final Logger log = LoggerFactory.getLogger(OtlpReceiverMain.class);
    private static final String RECEIVER = "receiver";
    private static final String ENV_PREFIX = ConfigTree.ENV_PREFIX + "RECEIVER_";

    private OtlpReceiverMain() {}

    public static void main(String[] args) {
        Running running;
        try {
            running = start(args, System.getenv());
        } catch (IllegalArgumentException | UncheckedIOException | IllegalStateException e) {
            System.err.println("ag-storage OTLP receiver: " + e.getMessage());
            System.err.println(
                    "usage: java -jar ag-storage-otlp-receiver-<version>-receiver.jar [--config config.yaml]");
            System.exit(2);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(running::close, "otlp-receiver-shutdown"));
        running.awaitClosed();
    }

    /** A started receiver, the engine it owns, and its admin port. */
    static final class Running implements AutoCloseable {
        final StorageEngine engine;
        final OtlpReceiver receiver;
        private final CountDownLatch closed = new CountDownLatch(1);

        @Nullable
        AdminServer admin;

        private @Nullable JvmGcMetrics gcMetrics;

        Running(StorageEngine engine, OtlpReceiver receiver) {
            this.engine = engine;
            this.receiver = receiver;
        }

        /**
         * Serves the admin port with the receiver's, the engine's, the retention scheduler's and the JVM's meters.
         */
        void startAdmin(String host, int port) {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new OtlpReceiverMetrics(receiver).bindTo(registry);
            new StorageEngineMetrics(engine).bindTo(registry);
            RetentionScheduler retention = engine.retentionScheduler();
            if (retention != null) {
                new RetentionMetrics(retention).bindTo(registry);
            }
            new JvmMemoryMetrics().bindTo(registry);
            new JvmThreadMetrics().bindTo(registry);
            new ClassLoaderMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);
            new UptimeMetrics().bindTo(registry);
            gcMetrics = new JvmGcMetrics();
            gcMetrics.bindTo(registry);
            admin = AdminServer.builder()
                    .setReceiver(receiver)
                    .setHost(host)
                    .setPort(port)
                    .setPrometheusRegistry(registry)
                    .start();
        }

        @Override
        public synchronized void close() {
            if (closed.getCount() == 0) {
                return;
            }
            log.info("Shutting down: finishing requests in flight, flushing");
            receiver.close();
            if (admin != null) {
                admin.close();
            }
            if (gcMetrics != null) {
                gcMetrics.close();
            }
            engine.close();
            closed.countDown();
        }

        void awaitClosed() {
            try {
                closed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Checks a configuration as {@code main} would bind it (the {@code receiver} section and the library's sections,
     * with {@code AG_STORAGE_*} overrides) without starting anything or connecting: for {@code ag-storage
     * validate-config}.
     *
     * @return how many {@code receiver} keys the file and the environment set
     * @throws IllegalArgumentException naming the first key that breaks a rule, the rule and the value
     */
    public static int checkConfig(String yaml, Map<String, String> env) {
        Settings.parse(yaml, env);
        ConfigTree tree = ConfigTree.parse(yaml);
        Map<String, String> keys = new HashMap<>(tree.keys(RECEIVER));
        keys.putAll(ConfigTree.environment(RECEIVER, env));
        return keys.size();
    }

    static Running start(String[] args, Map<String, String> env) {
        Path config = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                config = Path.of(args[++i]);
            } else if (args[i].startsWith("--config=")) {
                config = Path.of(args[i].substring("--config=".length()));
            } else {
                throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
            }
        }
        String yaml = "";
        if (config != null) {
            try {
                yaml = Files.readString(config);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read configuration file " + config + ": " + e.getMessage(), e);
            }
        }
        Settings settings = Settings.parse(yaml, env);
        StorageEngine engine = StorageEngine.create(settings.storage);
        Running running = null;
        try {
            running = new Running(engine, settings.receiver.setEngine(engine).start());
            if (settings.adminPort >= 0) {
                requirePrometheus();
                running.startAdmin(settings.host, settings.adminPort);
            }
            return running;
        } catch (RuntimeException e) {
            if (running != null) {
                running.close();
                throw e;
            }
            engine.close();
            throw e;
        }
    }

    /** The admin port's /metrics needs micrometer-registry-prometheus, an optional dependency of this module. */
    private static void requirePrometheus() {
        try {
            Class.forName("io.micrometer.prometheusmetrics.PrometheusMeterRegistry");
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(
                    "receiver.admin_port needs io.micrometer:micrometer-registry-prometheus "
                            + "on the class path (the receiver jar has it); add it, or set receiver.admin_port: -1",
                    e);
        }
    }

    /** The storage configuration and the receiver builder (engine not yet set) from YAML text and the environment. */
    static final class Settings {
        final StorageConfig storage;
        final OtlpReceiver.Builder receiver;
        final String host;
        final int adminPort;

        private Settings(StorageConfig storage, OtlpReceiver.Builder receiver, String host, int adminPort) {
            this.storage = storage;
            this.receiver = receiver;
            this.host = host;
            this.adminPort = adminPort;
        }

        static Settings parse(String yaml, Map<String, String> env) {
            // One parse, two binders: the receiver reads its section, StorageConfig binds the rest.
            ConfigTree tree = ConfigTree.parse(yaml);
            Map<String, String> receiverKeys = new HashMap<>();
            tree.keys(RECEIVER).forEach((key, value) -> receiverKeys.put(key, value == null ? "" : value));
            receiverKeys.putAll(ConfigTree.environment(RECEIVER, env));
            Map<String, String> storageEnv = new HashMap<>(env);
            storageEnv.keySet().removeIf(name -> name.startsWith(ENV_PREFIX));
            StorageConfig storage = StorageConfig.builder()
                    .tree(tree.without(RECEIVER))
                    .environment(storageEnv)
                    .build();
            String interval = receiverKeys.remove("retention_interval_minutes");
            if (interval != null) {
                storage = withDeprecatedInterval(storage, interval);
            }
            String admin = receiverKeys.remove("admin_port");
            int adminPort = admin == null ? 13133 : parseInt("receiver.admin_port", admin.trim());
            if (adminPort < -1 || adminPort > 65_535) {
                throw new IllegalArgumentException(
                        "receiver.admin_port must be between -1 (off) and 65535, was " + adminPort);
            }
            String host = receiverKeys.getOrDefault("host", "127.0.0.1").trim();
            return new Settings(storage, receiver(receiverKeys, storage.schema()), host, adminPort);
        }

        /**
         * {@code receiver.retention_interval_minutes}, from before the engine ran retention itself: mapped onto
         * {@code retention.interval_sec} (0 onto {@code retention.enabled: false}), with a warning.
         */
        private static StorageConfig withDeprecatedInterval(StorageConfig storage, String interval) {
            long minutes = parseLong("receiver.retention_interval_minutes", interval.trim());
            if (minutes < 0) {
                throw new IllegalArgumentException(
                        "receiver.retention_interval_minutes must be >= 0 (0: off), was " + minutes);
            }
            log.warn(
                    "receiver.retention_interval_minutes is deprecated: set retention.interval_sec (or "
                            + "retention.enabled: false) instead; using retention.{}",
                    minutes == 0 ? "enabled=false" : "interval_sec=" + minutes * 60);
            StorageConfig.Builder b = storage.toBuilder();
            return (minutes == 0
                            ? b.set("retention.enabled", "false")
                            : b.set("retention.interval_sec", Long.toString(minutes * 60)))
                    .build();
        }

        private static OtlpReceiver.Builder receiver(Map<String, String> keys, String schema) {
            OtlpReceiver.Builder b = OtlpReceiver.builder().setSpool(Path.of("ag-storage-spool", schema));
            String cert = null;
            String key = null;
            ConnectionLimits.Builder limits = ConnectionLimits.builder();
            for (Map.Entry<String, String> e : keys.entrySet()) {
                String name = "receiver." + e.getKey();
                String value = e.getValue().trim();
                switch (e.getKey()) {
                    case "host" -> b.setHost(value);
                    case "grpc_port" -> b.setGrpcPort(parseInt(name, value));
                    case "http_port" -> b.setHttpPort(parseInt(name, value));
                    case "max_body_bytes" -> b.setMaxBodyBytes(parseLong(name, value));
                    case "bearer_token" -> b.setBearerToken(value.isEmpty() ? null : value);
                    case "tls_cert" -> cert = value.isEmpty() ? null : value;
                    case "tls_key" -> key = value.isEmpty() ? null : value;
                    case "tls_client_ca" -> b.setTlsClientCa(value.isEmpty() ? null : Path.of(value));
                    case "allow_unauthenticated" -> b.setAllowUnauthenticated(parseBoolean(name, value));
                    case "request_timeout_ms" -> limits.setRequestTimeout(Duration.ofMillis(parseLong(name, value)));
                    case "idle_timeout_ms" -> limits.setIdleTimeout(Duration.ofMillis(parseLong(name, value)));
                    case "max_connections" -> limits.setMaxConnections(parseInt(name, value));
                    case "max_in_flight_bytes" -> limits.setMaxInFlightBytes(parseLong(name, value));
                    case "max_header_bytes" -> limits.setMaxHeaderBytes(parseInt(name, value));
                    case "grpc_max_concurrent_calls" ->
                        limits.setMaxConcurrentCallsPerConnection(parseInt(name, value));
                    case "grpc_permit_keepalive_ms" ->
                        limits.setPermitKeepAliveTime(Duration.ofMillis(parseLong(name, value)));
                    case "http_threads" -> b.setHttpThreads(parseInt(name, value));
                    case "max_cumulative_series" -> b.setMaxCumulativeSeries(parseLong(name, value));
                    case "spool_directory" -> b.setSpool(value.isEmpty() ? null : Path.of(value));
                    case "spool_sync" -> b.setSpoolSyncPolicy(parseSync(name, value));
                    default ->
                        throw new IllegalArgumentException(
                                "unknown configuration key '" + name + "' (expected one of host, "
                                        + "grpc_port, http_port, max_body_bytes, bearer_token, tls_cert, tls_key, "
                                        + "tls_client_ca, allow_unauthenticated, request_timeout_ms, idle_timeout_ms, "
                                        + "max_connections, max_in_flight_bytes, max_header_bytes, "
                                        + "grpc_max_concurrent_calls, grpc_permit_keepalive_ms, "
                                        + "http_threads, max_cumulative_series, "
                                        + "spool_directory, spool_sync, retention_interval_minutes, admin_port)");
                }
            }
            if ((cert == null) != (key == null)) {
                throw new IllegalArgumentException(
                        "receiver.tls_cert and receiver.tls_key must be set together, was tls_cert="
                                + (cert == null ? "unset" : cert) + ", tls_key=" + (key == null ? "unset" : key));
            }
            if (cert != null) {
                b.setTls(Path.of(cert), Path.of(key));
            }
            return b.setConnectionLimits(limits.build());
        }

        private static SyncPolicy parseSync(String key, String value) {
            try {
                return SyncPolicy.parse(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + " must be one of none, batch, always, was '" + value + "'", e);
            }
        }

        private static boolean parseBoolean(String key, String value) {
            if (!value.equals("true") && !value.equals("false")) {
                throw new IllegalArgumentException(key + " must be true or false, was '" + value + "'");
            }
            return value.equals("true");
        }

        private static int parseInt(String key, String value) {
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be an integer, was '" + value + "'", e);
            }
        }

        private static long parseLong(String key, String value) {
            try {
                return Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be an integer, was '" + value + "'", e);
            }
        }

        @Override
        public String toString() {
            return "Settings{" + storage + "}";
        }
    }
}
