package io.agstorage.otlp;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.agstorage.core.StorageEngine;
import io.agstorage.core.journal.SyncPolicy;
import io.agstorage.core.spool.SampleSpool;
import io.agstorage.otel.mapping.CumulativeState;
import io.agstorage.otlp.internal.GrpcMetricsService;
import io.agstorage.otlp.internal.HttpMetricsHandler;
import io.agstorage.otlp.internal.OtlpIngest;
import io.agstorage.otlp.internal.PemTls;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
 */
public final class OtlpReceiver implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OtlpReceiver.class);
    private static final String NODELAY_PROPERTY = "sun.net.httpserver.nodelay";

    private final StorageEngine engine;
    private final @Nullable Server grpc;
    private final @Nullable HttpServer http;
    private final @Nullable ExecutorService httpExecutor;
    private final @Nullable HttpMetricsHandler httpHandler;
    private final OtlpIngest ingest;
    private final @Nullable SampleSpool spool;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final String description;

    private OtlpReceiver(Builder b) throws IOException {
        this.engine = b.engine;
        // In the database: exact across restarts, spool replays and several receivers behind a load balancer.
        CumulativeState state = CumulativeState.inDatabase();
        this.spool = b.spoolDirectory == null ? null : SampleSpool.open(engine, b.spoolDirectory, b.spoolSyncPolicy);
        this.ingest = new OtlpIngest(engine, spool, state, b.maxCumulativeSeries);
        long timeoutMs = engine.config().writeTimeoutMs();
        Server grpcServer = null;
        HttpServer httpServer = null;
        ExecutorService executor = null;
        HttpMetricsHandler handler = null;
        try {
            if (b.grpcPort >= 0) {
                ServerCredentials credentials = b.tlsCert != null
                        ? TlsServerCredentials.create(
                                b.tlsCert.toFile(),
                                Objects.requireNonNull(b.tlsKey).toFile())
                        : InsecureServerCredentials.create();
                var definition = GrpcMetricsService.definition(ingest);
                grpcServer = NettyServerBuilder.forAddress(new InetSocketAddress(b.host, b.grpcPort), credentials)
                        .withChildOption(ChannelOption.TCP_NODELAY, true)
                        .maxInboundMessageSize((int) Math.min(Integer.MAX_VALUE, b.maxBodyBytes))
                        .addService(
                                b.bearerToken != null
                                        ? ServerInterceptors.intercept(
                                                definition, GrpcMetricsService.bearerToken(b.bearerToken))
                                        : definition)
                        .build()
                        .start();
            }
            if (b.httpPort >= 0) {
                // The JDK server writes the status line and the body separately: with Nagle's algorithm on, each
                // response waits for the client's delayed ACK (40 ms on Linux). Read once, when the server class loads.
                if (System.getProperty(NODELAY_PROPERTY) == null) {
                    System.setProperty(NODELAY_PROPERTY, "true");
                }
                InetSocketAddress address = new InetSocketAddress(b.host, b.httpPort);
                if (b.tlsCert != null) {
                    HttpsServer https = HttpsServer.create(address, 256);
                    https.setHttpsConfigurator(
                            new HttpsConfigurator(PemTls.serverContext(b.tlsCert, Objects.requireNonNull(b.tlsKey))));
                    httpServer = https;
                } else {
                    httpServer = HttpServer.create(address, 256);
                }
                AtomicInteger threads = new AtomicInteger();
                executor = new ThreadPoolExecutor(
                        b.httpThreads, b.httpThreads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                            Thread t = new Thread(r, "otlp-http-" + threads.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        });
                httpServer.setExecutor(executor);
                handler = new HttpMetricsHandler(ingest, b.maxBodyBytes, b.bearerToken, timeoutMs);
                httpServer.createContext("/", handler);
                httpServer.start();
            }
        } catch (IOException | RuntimeException e) {
            if (grpcServer != null) {
                grpcServer.shutdownNow();
            }
            if (httpServer != null) {
                httpServer.stop(0);
            }
            if (executor != null) {
                executor.shutdownNow();
            }
            if (spool != null) {
                spool.close();
            }
            throw e;
        }
        this.grpc = grpcServer;
        this.http = httpServer;
        this.httpExecutor = executor;
        this.httpHandler = handler;
        this.description = "OtlpReceiver{grpc=" + (grpc != null ? b.host + ":" + grpcPort() : "off") + ", http="
                + (http != null ? b.host + ":" + httpPort() : "off") + ", tls=" + (b.tlsCert != null) + ", bearerToken="
                + (b.bearerToken != null ? "****" : "none") + ", maxBodyBytes=" + b.maxBodyBytes + ", schema="
                + engine.config().schema()
                + ", spool="
                + (spool != null
                        ? spool.directory() + " (" + b.spoolSyncPolicy.name().toLowerCase(java.util.Locale.ROOT) + ")"
                        : "none")
                + "}";
        log.info("Started {}", description);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The bound OTLP/gRPC port (the real one when 0 was asked for), or -1 when gRPC is off. */
    public int grpcPort() {
        return grpc != null ? grpc.getPort() : -1;
    }

    /** The bound OTLP/HTTP port (the real one when 0 was asked for), or -1 when HTTP is off. */
    public int httpPort() {
        return http != null ? http.getAddress().getPort() : -1;
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
        long timeoutMs = engine.config().writeTimeoutMs();
        if (grpc != null) {
            grpc.shutdown();
        }
        if (http != null) {
            Objects.requireNonNull(httpHandler).drain(timeoutMs);
            http.stop(0);
        }
        if (httpExecutor != null) {
            httpExecutor.shutdown();
        }
        try {
            if (grpc != null && !grpc.awaitTermination(timeoutMs, TimeUnit.MILLISECONDS)) {
                grpc.shutdownNow();
            }
            if (httpExecutor != null && !httpExecutor.awaitTermination(timeoutMs, TimeUnit.MILLISECONDS)) {
                httpExecutor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
        private String host = "0.0.0.0";
        private int grpcPort = 4317;
        private int httpPort = 4318;
        private long maxBodyBytes = 16L * 1024 * 1024;
        private @Nullable String bearerToken;
        private @Nullable Path tlsCert;
        private @Nullable Path tlsKey;
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

        /** The address to bind; default {@code 0.0.0.0} (all interfaces). */
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

        /** Threads serving OTLP/HTTP requests (each waits for its commit, or its spooling); default 16. */
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
