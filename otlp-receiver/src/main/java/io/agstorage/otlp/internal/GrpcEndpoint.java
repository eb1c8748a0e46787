package io.agstorage.otlp.internal;

import io.agstorage.otlp.ConnectionLimits;
import io.grpc.BindableService;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The OTLP/gRPC server: {@code MetricsService/Export} (behind the bearer token when one is set) and any further
 * services (the standard health service), held to {@link ConnectionLimits}: connections, concurrent calls per
 * connection, keepalive pings, metadata size, idle connections, and the inbound message size.
 */
public final class GrpcEndpoint {

    private final Server server;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ConnectionCap cap;

    /** TLS settings: both files set, or none; {@code clientCa} only with them. */
    public record Tls(
            Path certChain, Path privateKey, @Nullable Path clientCa) {}

    public GrpcEndpoint(
            InetSocketAddress address,
            OtlpIngest ingest,
            @Nullable String bearerToken,
            @Nullable Tls tls,
            ConnectionLimits limits,
            long maxBodyBytes,
            long timeoutMs,
            List<BindableService> others)
            throws IOException {
        ServerCredentials credentials;
        if (tls == null) {
            credentials = InsecureServerCredentials.create();
        } else {
            TlsServerCredentials.Builder b = TlsServerCredentials.newBuilder()
                    .keyManager(tls.certChain().toFile(), tls.privateKey().toFile());
            if (tls.clientCa() != null) {
                b.trustManager(tls.clientCa().toFile()).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
            }
            credentials = b.build();
        }
        ServerServiceDefinition definition = GrpcMetricsService.definition(ingest, timeoutMs);
        this.cap = new ConnectionCap(limits.maxConnections(), "OTLP/gRPC " + address);
        this.boss = new NioEventLoopGroup(1, new DefaultThreadFactory("otlp-grpc-accept", true));
        this.workers = new NioEventLoopGroup(
                Math.min(4, Runtime.getRuntime().availableProcessors()),
                new DefaultThreadFactory("otlp-grpc-io", true));
        NettyServerBuilder builder = NettyServerBuilder.forAddress(address, credentials)
                .channelFactory(cap)
                .bossEventLoopGroup(boss)
                .workerEventLoopGroup(workers)
                .withChildOption(ChannelOption.TCP_NODELAY, true)
                .maxInboundMessageSize((int) Math.min(Integer.MAX_VALUE, maxBodyBytes))
                .maxInboundMetadataSize(limits.maxHeaderBytes())
                .maxConcurrentCallsPerConnection(limits.maxConcurrentCallsPerConnection())
                .permitKeepAliveTime(limits.permitKeepAliveTime().toMillis(), TimeUnit.MILLISECONDS)
                .permitKeepAliveWithoutCalls(true)
                .maxConnectionIdle(limits.idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .addService(
                        bearerToken != null
                                ? ServerInterceptors.intercept(definition, GrpcMetricsService.bearerToken(bearerToken))
                                : definition);
        for (BindableService s : others) {
            builder.addService(s);
        }
        try {
            this.server = builder.build().start();
        } catch (IOException | RuntimeException e) {
            shutdownGroups();
            throw e;
        }
    }

    public int port() {
        return server.getPort();
    }

    /** Stops taking calls and waits at most {@code timeoutMs} for those in flight. */
    public void close(long timeoutMs) {
        server.shutdown();
        try {
            if (!server.awaitTermination(timeoutMs, TimeUnit.MILLISECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.shutdownNow();
        }
        shutdownGroups();
    }

    /** Connections closed at once because the cap was reached. */
    public int refusedConnections() {
        return cap.refused();
    }

    private void shutdownGroups() {
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
