package io.agstorage.otlp.internal;

import io.agstorage.otlp.ConnectionLimits;
import io.grpc.netty.shaded.io.netty.handler.ssl.ApplicationProtocolConfig;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.grpc.netty.shaded.io.netty.handler.ssl.JdkSslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/** The OTLP/HTTP endpoint: {@link HttpMetricsHandler} on a {@link NettyHttpServer}, with its decoding threads. */
public final class HttpEndpoint {

    private final ExecutorService executor;
    private final HttpMetricsHandler handler;
    private final NettyHttpServer server;

    public HttpEndpoint(
            InetSocketAddress address,
            OtlpIngest ingest,
            @Nullable String bearerToken,
            GrpcEndpoint.@Nullable Tls tls,
            ConnectionLimits limits,
            long maxBodyBytes,
            int threads,
            long timeoutMs)
            throws IOException {
        AtomicInteger count = new AtomicInteger();
        this.executor =
                new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "otlp-http-" + count.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.handler = new HttpMetricsHandler(ingest, maxBodyBytes, bearerToken, timeoutMs, executor);
        try {
            this.server = new NettyHttpServer("otlp-http", address, handler, limits, maxBodyBytes, sslContext(tls));
        } catch (IOException | RuntimeException e) {
            executor.shutdownNow();
            throw e;
        }
    }

    /** A Netty server context from the same PEM files (and checks) as the gRPC endpoint. */
    static @Nullable SslContext sslContext(GrpcEndpoint.@Nullable Tls tls) {
        if (tls == null) {
            return null;
        }
        return new JdkSslContext(
                PemTls.serverContext(tls.certChain(), tls.privateKey(), tls.clientCa()),
                false,
                null,
                IdentityCipherSuiteFilter.INSTANCE,
                ApplicationProtocolConfig.DISABLED,
                tls.clientCa() != null ? ClientAuth.REQUIRE : ClientAuth.NONE,
                null,
                false);
    }

    public int port() {
        return server.port();
    }

    public NettyHttpServer server() {
        return server;
    }

    /**
     * Answers new requests 503, waits at most {@code timeoutMs} for those in flight, then closes every connection.
     */
    public void close(long timeoutMs) {
        handler.drain(timeoutMs);
        server.close(timeoutMs);
        executor.shutdownNow();
    }
}
