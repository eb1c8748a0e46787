package io.agstorage.otlp;

import io.agstorage.core.StorageEngine;
import io.agstorage.core.journal.SyncPolicy;
import io.agstorage.core.spool.SampleSpool;
import io.agstorage.otel.mapping.CumulativeState;
import io.agstorage.otlp.internal.ExposureCheck;
import io.agstorage.otlp.internal.GrpcEndpoint;
import io.agstorage.otlp.internal.HttpEndpoint;
import io.agstorage.otlp.internal.OtlpIngest;
import io.agstorage.otlp.internal.ReadinessCheck;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OTLP metrics server that stores what it receives in TimescaleDB: OTLP/gRPC
 * ({@code MetricsService/Export}, default port 4317) and OTLP/HTTP ({@code POST /v1/metrics}, default port 4318,
 * protobuf or JSON, gzip accepted). Any OpenTelemetry Collector ({@code otlp} / {@code otlphttp} exporters) or
 * OTel SDK can export to it.
 *
 * <pre>{@code
 * try (StorageEngine engine = StorageEngine.create(config);
 *      OtlpReceiver receiver = OtlpReceiver.builder().setEngine(engine).start()) {
 *     ...
 * }
 * }</pre>
 *
 * <p>A response is sent once the request's points are committed (200 / OK, with a partial success naming
 * the refused points and why), or, with a {@linkplain Builder#setSpool spool}, once they are in the spool. A malformed
 * body is answered 400 / INVALID_ARGUMENT; a body above {@code maxBodyBytes} 413 / RESOURCE_EXHAUSTED; a full ingestion
 * buffer or an unconfirmed commit 503 with {@code Retry-After: 1} / UNAVAILABLE with a one-second {@code RetryInfo}, so
 * clients retry instead of losing data; a missing bearer token (when one is set) 401 / UNAUTHENTICATED. How OTel data
 * maps to rows is described in the {@link io.agstorage.otel package documentation}.
 *
 * <p>Safe by default: it binds {@code 127.0.0.1}; on any other address it needs a {@linkplain Builder#setBearerToken
 * bearer token} or {@linkplain Builder#setTlsClientCa client certificates}, unless {@link
 * Builder#setAllowUnauthenticated} says an open port is meant. Slow and greedy clients are held to {@link
 * ConnectionLimits}.
 */
public final class OtlpReceiver implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OtlpReceiver.class);

    private final StorageEngine engine;
    private final @Nullable GrpcEndpoint grpc;
    private final @Nullable HttpEndpoint http;
    private final OtlpIngest ingest;
    private final @Nullable SampleSpool spool;
    private final ReadinessCheck readiness;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final String description;

    private OtlpReceiver(Builder b) throws IOException {
        this.engine = b.engine;
        // In the database: exact across restarts, spool replays and several receivers behind a load balancer.
        CumulativeState state = CumulativeState.inDatabase();
        this.spool = b.spoolDirectory == null ? null : SampleSpool.open(engine, b.spoolDirectory, b.spoolSyncPolicy);
        this.ingest = new OtlpIngest(engine, spool, state, b.maxCumulativeSeries);
        this.readiness = new ReadinessCheck(engine, spool);
        long timeoutMs = engine.config().writeTimeoutMs();
        GrpcEndpoint grpcServer = null;
        HttpEndpoint httpServer = null;
        GrpcEndpoint.Tls tls = b.tlsCert == null
                ? null
                : new GrpcEndpoint.Tls(b.tlsCert, Objects.requireNonNull(b.tlsKey), b.tlsClientCa);
        try {
            if (b.grpcPort >= 0) {
                grpcServer = new GrpcEndpoint(
                        new InetSocketAddress(b.host, b.grpcPort),
                        ingest,
                        b.bearerToken,
                        tls,
                        b.limits,
                        b.maxBodyBytes,
                        timeoutMs,
                        List.of(readiness.healthService()));
            }
            if (b.httpPort >= 0) {
                httpServer = new HttpEndpoint(
                        new InetSocketAddress(b.host, b.httpPort),
                        ingest,
                        b.bearerToken,
                        tls,
                        b.limits,
                        b.maxBodyBytes,
                        b.httpThreads,
                        timeoutMs);
            }
        } catch (IOException | RuntimeException e) {
            readiness.close();
            if (grpcServer != null) {
                grpcServer.close(0);
            }
            if (httpServer != null) {
                httpServer.close(0);
            }
            if (spool != null) {
                spool.close();
            }
            throw e;
        }
        this.grpc = grpcServer;
        this.http = httpServer;
        this.description = "OtlpReceiver{grpc=" + (grpc != null ? b.host + ":" + grpcPort() : "off") + ", http="
                + (http != null ? b.host + ":" + httpPort() : "off") + ", tls="
                + (b.tlsCert == null ? "off" : b.tlsClientCa != null ? "mutual" : "on") + ", bearerToken="
                + (b.bearerToken != null ? "****" : "none") + ", maxBodyBytes=" + b.maxBodyBytes + ", " + b.limits
                + ", schema=" + engine.config().schema()
                + ", spool="
                + (spool != null
                        ? spool.directory() + " (" + b.spoolSyncPolicy.name().toLowerCase(java.util.Locale.ROOT) + ")"
                        : "none")
                + "}";
        readiness.start();
        log.info("Started {}", description);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The bound OTLP/gRPC port (the real one when 0 was asked for), or -1 when gRPC is off. */
    public int grpcPort() {
        return grpc != null ? grpc.port() : -1;
    }

    /** The bound OTLP/HTTP port (the real one when 0 was asked for), or -1 when HTTP is off. */
    public int httpPort() {
        return http != null ? http.port() : -1;
    }

    /** The schema the receiver stores into. */
    public String schema() {
        return engine.config().schema();
    }

    /** Data points committed so far. */
    public long acceptedPoints() {
        return ingest.acceptedPoints();
    }

    /** Data points refused (reported to clients as partial success) so far. */
    public long rejectedPoints() {
        return ingest.rejectedPoints();
    }

    /**
     * Whether the receiver can take requests now: started, the database answered its last check (once a second; one
     * taking over 5 s counts as unreachable), and the ingestion buffer and the spool's disk have room. Served by {@link
     * AdminServer} ({@code GET /health/ready}) and, on the gRPC port, by the standard {@code grpc.health.v1.Health}
     * service (SERVING or NOT_SERVING, for {@code ""} and the OTLP metrics service; not behind the bearer token).
     */
    public Readiness readiness() {
        return readiness.check();
    }

    /** The spool requests are answered from, or null when they are answered after their commit. */
    public @Nullable SampleSpool spool() {
        return spool;
    }

    /** Requests answered 503 / UNAVAILABLE because the ingestion buffer was full. */
    public long busyRequests() {
        return ingest.busyRequests();
    }

    /**
     * Stops accepting connections, lets requests in flight finish (at most {@code ingestion.write_timeout_ms}),
     * then flushes the engine. Does not close the engine. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        readiness.close();
        long timeoutMs = engine.config().writeTimeoutMs();
        if (http != null) {
            http.close(timeoutMs);
        }
        if (grpc != null) {
            grpc.close(timeoutMs);
        }
        if (!engine.isClosed()) {
            try {
                engine.flushBuffer();
            } catch (RuntimeException e) {
                log.error("OtlpReceiver closing with data unflushed: {}", e.getMessage());
            }
        }
        if (spool != null) {
            spool.close();
        }
        log.info(
                "Stopped {}: {} points accepted, {} rejected, {} requests refused while busy",
                description,
                acceptedPoints(),
                rejectedPoints(),
                busyRequests());
    }

    @Override
    public String toString() {
        return description;
    }

    /** Builds and starts an {@link OtlpReceiver}. */
    public static final class Builder {

        private @Nullable StorageEngine engine;
        private String host = "127.0.0.1";
        private int grpcPort = 4317;
        private int httpPort = 4318;
        private long maxBodyBytes = 16L * 1024 * 1024;
        private @Nullable String bearerToken;
        private @Nullable Path tlsCert;
        private @Nullable Path tlsKey;
        private @Nullable Path tlsClientCa;
        private boolean allowUnauthenticated;
        private ConnectionLimits limits = ConnectionLimits.DEFAULT;
        private int httpThreads = 16;
        private long maxCumulativeSeries = 1_000_000;
        private @Nullable Path spoolDirectory;
        private SyncPolicy spoolSyncPolicy = SyncPolicy.BATCH;

        private Builder() {}

        /** The engine to store into (required); the receiver never closes it. */
        public Builder setEngine(StorageEngine engine) {
            this.engine = Objects.requireNonNull(engine, "engine");
            return this;
        }

        /**
         * The address to bind; default {@code 127.0.0.1} (this machine only). Any other address needs a bearer token or
         * client certificates, or {@link #setAllowUnauthenticated}.
         */
        public Builder setHost(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** The OTLP/gRPC port; default 4317, 0 picks a free one, -1 turns gRPC off. */
        public Builder setGrpcPort(int port) {
            this.grpcPort = port(port, "grpcPort");
            return this;
        }

        /** The OTLP/HTTP port; default 4318, 0 picks a free one, -1 turns HTTP off. */
        public Builder setHttpPort(int port) {
            this.httpPort = port(port, "httpPort");
            return this;
        }

        private static int port(int port, String name) {
            if (port < -1 || port > 65_535) {
                throw new IllegalArgumentException(name + " must be between -1 (off) and 65535, was " + port);
            }
            return port;
        }

        /** The largest request body accepted, compressed and decompressed; default 16 MiB. Larger ones get 413. */
        public Builder setMaxBodyBytes(long bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("maxBodyBytes must be >= 1024, was " + bytes);
            }
            this.maxBodyBytes = bytes;
            return this;
        }

        /** Requires {@code Authorization: Bearer <token>} on every request; default none. */
        public Builder setBearerToken(@Nullable String token) {
            if (token != null && token.isBlank()) {
                throw new IllegalArgumentException("bearerToken must not be blank");
            }
            this.bearerToken = token;
            return this;
        }

        /**
         * Serves both endpoints over TLS with a PEM certificate chain and a PEM PKCS#8 private key; default plain text.
         */
        public Builder setTls(Path certChain, Path privateKey) {
            this.tlsCert = Objects.requireNonNull(certChain, "certChain");
            this.tlsKey = Objects.requireNonNull(privateKey, "privateKey");
            return this;
        }

        /**
         * Requires client certificates signed by a CA in this PEM file on both endpoints (mutual TLS; needs {@link
         * #setTls}); default none.
         */
        public Builder setTlsClientCa(@Nullable Path clientCa) {
            this.tlsClientCa = clientCa;
            return this;
        }

        /** Accepts binding a non-loopback address without a bearer token or client certificates; default false. */
        public Builder setAllowUnauthenticated(boolean allow) {
            this.allowUnauthenticated = allow;
            return this;
        }

        /** Limits on connections, request deadlines and bytes held; default {@link ConnectionLimits#DEFAULT}. */
        public Builder setConnectionLimits(ConnectionLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /** Threads decoding OTLP/HTTP requests (each waits for its commit, or its spooling); default 16. */
        public Builder setHttpThreads(int threads) {
            if (threads < 1 || threads > 1024) {
                throw new IllegalArgumentException("httpThreads must be between 1 and 1024, was " + threads);
            }
            this.httpThreads = threads;
            return this;
        }

        /**
         * How many series the receiver keeps resolved in memory (a cache: more are looked up again); default
         * 1,000,000. The cumulative-to-delta state itself lives in the database, for every series.
         */
        public Builder setMaxCumulativeSeries(long maxSeries) {
            if (maxSeries < 1) {
                throw new IllegalArgumentException("maxCumulativeSeries must be >= 1, was " + maxSeries);
            }
            this.maxCumulativeSeries = maxSeries;
            return this;
        }

        /**
         * Answers each request once its points are in a local spool in {@code directory} (a journal, durable as
         * {@link #setSpoolSyncPolicy} says) instead of once they are committed, as the Collector's persistent queue
         * does; the engine then commits many requests in one transaction. Exactly once across a crash: the next start
         * replays what the database does not hold (see {@link SampleSpool}). Default: no spool.
         */
        public Builder setSpool(@Nullable Path directory) {
            this.spoolDirectory = directory;
            return this;
        }

        /** The spool directory set, or null. */
        public @Nullable Path spoolDirectory() {
            return spoolDirectory;
        }

        /** How far a spooled request is forced to disk before it is answered; default {@link SyncPolicy#BATCH}. */
        public Builder setSpoolSyncPolicy(SyncPolicy syncPolicy) {
            this.spoolSyncPolicy = Objects.requireNonNull(syncPolicy, "syncPolicy");
            return this;
        }

        /**
         * Binds the ports and starts serving.
         *
         * @throws IllegalStateException when no engine is set or both endpoints are off
         * @throws UncheckedIOException when a port cannot be bound
         */
        public OtlpReceiver start() {
            if (engine == null) {
                throw new IllegalStateException("engine must be set");
            }
            if (grpcPort < 0 && httpPort < 0) {
                throw new IllegalStateException("at least one of grpcPort and httpPort must be on, both were -1");
            }
            if (tlsCert != null && (!Files.isReadable(tlsCert) || !Files.isReadable(Objects.requireNonNull(tlsKey)))) {
                throw new IllegalArgumentException(
                        "tls cert " + tlsCert + " and key " + tlsKey + " must be readable files");
            }
            if (tlsClientCa != null && (tlsCert == null || !Files.isReadable(tlsClientCa))) {
                throw new IllegalArgumentException("receiver.tls_client_ca " + tlsClientCa
                        + " must be a readable file, and needs receiver.tls_cert and receiver.tls_key");
            }
            ExposureCheck.check(host, bearerToken != null, tlsCert != null, tlsClientCa != null, allowUnauthenticated);
            try {
                return new OtlpReceiver(this);
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "cannot start the OTLP receiver on " + host + " (grpc " + grpcPort + ", http " + httpPort
                                + "): " + e.getMessage(),
                        e);
            }
        }
    }
}
