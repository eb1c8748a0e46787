package io.agstorage.otlp;

import io.agstorage.otlp.internal.AdminService;
import io.agstorage.otlp.internal.NettyHttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiver's admin port (default 13133, as the Collector's health check extension), for operators and
 * orchestrators: {@code GET /health/live} (200 while the process serves), {@code GET /health/ready} (200 once the
 * receiver is started, the database answers and the ingestion buffer and spool have room; else 503 with the reason as
 * plain text, see {@link OtlpReceiver#readiness()}) and, with a registry, {@code GET /metrics} (the Prometheus text
 * format). No token and no TLS: it serves only health and meter values; keep it on loopback or a private network.
 *
 * <pre>{@code
 * PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
 * new OtlpReceiverMetrics(receiver).bindTo(registry);
 * try (AdminServer admin = AdminServer.builder().setReceiver(receiver).setPrometheusRegistry(registry).start()) {
 *     ...
 * }
 * }</pre>
 *
 * {@code setPrometheusRegistry} needs {@code io.micrometer:micrometer-registry-prometheus} on the class path (an
 * optional dependency of this module; the standalone receiver jar has it).
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    private static final ConnectionLimits LIMITS = ConnectionLimits.builder()
            .setMaxConnections(64)
            .setRequestTimeout(Duration.ofSeconds(10))
            .setMaxInFlightBytes(1024 * 1024)
            .build();

    private final NettyHttpServer server;
    private final ExecutorService executor;
    private final String description;

    private AdminServer(Builder b, OtlpReceiver receiver) throws IOException {
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "otlp-admin");
            t.setDaemon(true);
            return t;
        });
        AdminService service = new AdminService(receiver::readiness, b.metrics, executor);
        try {
            this.server = new NettyHttpServer(
                    "otlp-admin", new InetSocketAddress(b.host, b.port), service, LIMITS, 1024, null);
        } catch (IOException | RuntimeException e) {
            executor.shutdownNow();
            throw e;
        }
        this.description = "AdminServer{" + b.host + ":" + port() + ", GET " + AdminService.LIVE + ", "
                + AdminService.READY + (b.metrics != null ? ", " + AdminService.METRICS : "") + "}";
        log.info("Started {}", description);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The bound port (the real one when 0 was asked for). */
    public int port() {
        return server.port();
    }

    /** Stops serving. Idempotent. */
    @Override
    public void close() {
        server.close(1_000);
        executor.shutdownNow();
    }

    @Override
    public String toString() {
        return description;
    }

    /** Builds and starts an {@link AdminServer}. */
    public static final class Builder {

        private @Nullable OtlpReceiver receiver;
        private String host = "127.0.0.1";
        private int port = 13133;
        private @Nullable Supplier<String> metrics;

        private Builder() {}

        /** The receiver whose readiness is served (required). */
        public Builder setReceiver(OtlpReceiver receiver) {
            this.receiver = Objects.requireNonNull(receiver, "receiver");
            return this;
        }

        /** The address to bind; default {@code 127.0.0.1}. */
        public Builder setHost(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** The port; default 13133, 0 picks a free one. */
        public Builder setPort(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("receiver.admin_port must be between 0 and 65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /** The registry {@code GET /metrics} renders; default none ({@code /metrics} answers 404). */
        public Builder setPrometheusRegistry(PrometheusMeterRegistry registry) {
            Objects.requireNonNull(registry, "registry");
            this.metrics = registry::scrape;
            return this;
        }

        /**
         * Binds the port and starts serving.
         *
         * @throws IllegalStateException when no receiver is set
         * @throws UncheckedIOException when the port cannot be bound
         */
        public AdminServer start() {
            if (receiver == null) {
                throw new IllegalStateException("receiver must be set");
            }
            try {
                return new AdminServer(this, receiver);
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "cannot start the admin server on " + host + ":" + port + ": " + e.getMessage(), e);
            }
        }
    }
}
