package io.agstorage.otlp.internal;

import io.agstorage.otlp.ConnectionLimits;
import io.grpc.netty.shaded.io.netty.bootstrap.ServerBootstrap;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelInitializer;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.ChannelPipeline;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.group.ChannelGroup;
import io.grpc.netty.shaded.io.netty.channel.group.DefaultChannelGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.SocketChannel;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpServerCodec;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslHandler;
import io.grpc.netty.shaded.io.netty.handler.timeout.IdleStateHandler;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.netty.shaded.io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * An HTTP/1.1 server on Netty (the copy relocated inside grpc-netty-shaded) that holds slow and greedy clients to
 * {@link ConnectionLimits}: a deadline for each request's headers and body (408), an idle timeout, a cap on connections
 * and on request bytes held at once (503), a header size cap (431) and a body size cap (413). One request at a time
 * per connection: the next one is not read before the answer is written.
 */
public final class NettyHttpServer implements AutoCloseable {

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel server;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final ConnectionCap cap;
    final AtomicLong inFlightBytes = new AtomicLong();
    final AtomicInteger active = new AtomicInteger();

    /**
     * Binds and starts serving.
     *
     * @param name thread name prefix
     * @param maxBodyBytes the largest body read (413 past it)
     * @param tls a server TLS context, or null for plain text
     */
    public NettyHttpServer(
            String name,
            InetSocketAddress address,
            HttpService service,
            ConnectionLimits limits,
            long maxBodyBytes,
            @Nullable SslContext tls)
            throws IOException {
        this.cap = new ConnectionCap(limits.maxConnections(), name + " " + address);
        this.boss = new NioEventLoopGroup(1, new DefaultThreadFactory(name + "-accept", true));
        this.workers = new NioEventLoopGroup(
                Math.min(4, Runtime.getRuntime().availableProcessors()), new DefaultThreadFactory(name + "-io", true));
        long idleMs = limits.idleTimeout().toMillis();
        long requestMs = limits.requestTimeout().toMillis();
        try {
            this.server = new ServerBootstrap()
                    .group(boss, workers)
                    .channelFactory(cap)
                    .option(ChannelOption.SO_BACKLOG, 256)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            connections.add(ch);
                            ChannelPipeline p = ch.pipeline();
                            if (tls != null) {
                                SslHandler ssl = tls.newHandler(ch.alloc());
                                ssl.setHandshakeTimeoutMillis(requestMs);
                                p.addLast(ssl);
                            }
                            HttpConnection connection =
                                    new HttpConnection(NettyHttpServer.this, service, limits, maxBodyBytes);
                            p.addLast(new IdleStateHandler(0, 0, idleMs, TimeUnit.MILLISECONDS));
                            p.addLast(connection.firstByteWatch());
                            p.addLast(new HttpServerCodec(8192, limits.maxHeaderBytes(), 64 * 1024));
                            p.addLast(connection);
                        }
                    })
                    .bind(address)
                    .syncUninterruptibly()
                    .channel();
        } catch (RuntimeException e) {
            shutdownGroups();
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw e;
        }
    }

    /** The bound port. */
    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Connections open now. */
    public int openConnections() {
        return cap.open();
    }

    /** Connections closed at once because the cap was reached. */
    public int refusedConnections() {
        return cap.refused();
    }

    /** Request bytes held now (read and not yet answered). */
    public long inFlightBytes() {
        return inFlightBytes.get();
    }

    /**
     * Stops accepting connections, waits at most {@code timeoutMs} for requests being answered, then closes every
     * connection. Idempotent.
     */
    public void close(long timeoutMs) {
        server.close().syncUninterruptibly();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (active.get() > 0 && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        connections.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        shutdownGroups();
    }

    @Override
    public void close() {
        close(0);
    }

    private void shutdownGroups() {
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
}
