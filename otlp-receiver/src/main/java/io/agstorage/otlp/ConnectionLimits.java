package io.agstorage.otlp;

import java.time.Duration;
import java.util.Objects;

/**
 * How much of the receiver one client, or many slow ones, may hold: the defence against slowloris connections, header
 * floods, idle connections and clients that send more than the receiver can hold at once. Immutable; built with
 * {@link #builder()}, set with {@link OtlpReceiver.Builder#setConnectionLimits}.
 *
 * <ul>
 *   <li>{@code requestTimeout} (30 s): an OTLP/HTTP request's headers and body must arrive within it, counted from its
 *       first byte; else 408 and the connection is closed. Also the TLS handshake timeout.
 *   <li>{@code idleTimeout} (60 s): a connection (HTTP or gRPC) with no request in flight for that long is closed.
 *   <li>{@code maxConnections} (1,024): connections accepted at once on each port; the next ones are closed at once.
 *   <li>{@code maxInFlightBytes} (128 MiB): request bytes held at once (read, not yet answered) across all OTLP/HTTP
 *       connections; a request that would go past it is answered 503 with {@code Retry-After}.
 *   <li>{@code maxHeaderBytes} (16 KiB): an OTLP/HTTP request's headers (431 past it) and a gRPC call's metadata.
 *   <li>{@code maxConcurrentCallsPerConnection} (32): gRPC calls in flight on one connection.
 *   <li>{@code permitKeepAliveTime} (10 s): the most often a gRPC client may ping; more often, the connection is closed
 *       ({@code GOAWAY ENHANCE_YOUR_CALM}). Pings without calls in flight are allowed at that rate.
 * </ul>
 * The largest request body (413 past it) and gRPC message are {@link OtlpReceiver.Builder#setMaxBodyBytes}.
 */
public final class ConnectionLimits {

    /** The defaults listed above. */
    public static final ConnectionLimits DEFAULT = builder().build();

    private final Duration requestTimeout;
    private final Duration idleTimeout;
    private final int maxConnections;
    private final long maxInFlightBytes;
    private final int maxHeaderBytes;
    private final int maxConcurrentCallsPerConnection;
    private final Duration permitKeepAliveTime;

    private ConnectionLimits(Builder b) {
        this.requestTimeout = b.requestTimeout;
        this.idleTimeout = b.idleTimeout;
        this.maxConnections = b.maxConnections;
        this.maxInFlightBytes = b.maxInFlightBytes;
        this.maxHeaderBytes = b.maxHeaderBytes;
        this.maxConcurrentCallsPerConnection = b.maxConcurrentCallsPerConnection;
        this.permitKeepAliveTime = b.permitKeepAliveTime;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    public Duration idleTimeout() {
        return idleTimeout;
    }

    public int maxConnections() {
        return maxConnections;
    }

    public long maxInFlightBytes() {
        return maxInFlightBytes;
    }

    public int maxHeaderBytes() {
        return maxHeaderBytes;
    }

    public int maxConcurrentCallsPerConnection() {
        return maxConcurrentCallsPerConnection;
    }

    public Duration permitKeepAliveTime() {
        return permitKeepAliveTime;
    }

    @Override
    public String toString() {
        return "ConnectionLimits{requestTimeout=" + requestTimeout.toMillis() + "ms, idleTimeout="
                + idleTimeout.toMillis() + "ms, maxConnections=" + maxConnections + ", maxInFlightBytes="
                + maxInFlightBytes + ", maxHeaderBytes=" + maxHeaderBytes + ", maxConcurrentCallsPerConnection="
                + maxConcurrentCallsPerConnection + ", permitKeepAliveTime=" + permitKeepAliveTime.toMillis() + "ms}";
    }

    /** Builds {@link ConnectionLimits}; each setter checks its range. */
    public static final class Builder {
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Duration idleTimeout = Duration.ofSeconds(60);
        private int maxConnections = 1024;
        private long maxInFlightBytes = 128L * 1024 * 1024;
        private int maxHeaderBytes = 16 * 1024;
        private int maxConcurrentCallsPerConnection = 32;
        private Duration permitKeepAliveTime = Duration.ofSeconds(10);

        private Builder() {}

        /** Default 30 s; at least 100 ms. */
        public Builder setRequestTimeout(Duration timeout) {
            this.requestTimeout = atLeast(timeout, Duration.ofMillis(100), "request_timeout_ms");
            return this;
        }

        /** Default 60 s; at least 100 ms. */
        public Builder setIdleTimeout(Duration timeout) {
            this.idleTimeout = atLeast(timeout, Duration.ofMillis(100), "idle_timeout_ms");
            return this;
        }

        /** Default 1,024; at least 1. */
        public Builder setMaxConnections(int connections) {
            if (connections < 1) {
                throw new IllegalArgumentException("receiver.max_connections must be >= 1, was " + connections);
            }
            this.maxConnections = connections;
            return this;
        }

        /** Default 128 MiB; at least 1,024. */
        public Builder setMaxInFlightBytes(long bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("receiver.max_in_flight_bytes must be >= 1024, was " + bytes);
            }
            this.maxInFlightBytes = bytes;
            return this;
        }

        /** Default 16 KiB; between 1,024 and 1 MiB. */
        public Builder setMaxHeaderBytes(int bytes) {
            if (bytes < 1024 || bytes > 1024 * 1024) {
                throw new IllegalArgumentException(
                        "receiver.max_header_bytes must be between 1024 and 1048576, was " + bytes);
            }
            this.maxHeaderBytes = bytes;
            return this;
        }

        /** Default 32; at least 1. */
        public Builder setMaxConcurrentCallsPerConnection(int calls) {
            if (calls < 1) {
                throw new IllegalArgumentException("receiver.grpc_max_concurrent_calls must be >= 1, was " + calls);
            }
            this.maxConcurrentCallsPerConnection = calls;
            return this;
        }

        /** Default 10 s; at least 1 s. */
        public Builder setPermitKeepAliveTime(Duration time) {
            this.permitKeepAliveTime = atLeast(time, Duration.ofSeconds(1), "grpc_permit_keepalive_ms");
            return this;
        }

        private static Duration atLeast(Duration value, Duration min, String key) {
            Objects.requireNonNull(value, key);
            if (value.compareTo(min) < 0) {
                throw new IllegalArgumentException(
                        "receiver." + key + " must be >= " + min.toMillis() + ", was " + value.toMillis());
            }
            return value;
        }

        public ConnectionLimits build() {
            return new ConnectionLimits(this);
        }
    }
}
