package io.agstorage.otlp.internal;

import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelFactory;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At most {@code max} connections open at once on a Netty server port: the next ones are closed as soon as they are
 * accepted, before any of their bytes is read. Works below both the gRPC server (as its channel factory) and the
 * OTLP/HTTP server.
 */
public final class ConnectionCap implements ChannelFactory<ServerChannel> {

    private static final Logger log = LoggerFactory.getLogger(ConnectionCap.class);

    private final int max;
    private final String what;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();

    public ConnectionCap(int max, String what) {
        this.max = max;
        this.what = what;
    }

    @Override
    public ServerChannel newChannel() {
        return new Capped();
    }

    /** Connections open now. */
    public int open() {
        return open.get();
    }

    /** Connections closed at once because {@code max} were open. */
    public int refused() {
        return refused.get();
    }

    private final class Capped extends NioServerSocketChannel {
        @Override
        protected int doReadMessages(List<Object> buf) throws Exception {
            int from = buf.size();
            int n = super.doReadMessages(buf);
            for (int i = buf.size() - 1; i >= from; i--) {
                Channel child = (Channel) buf.get(i);
                if (open.incrementAndGet() > max) {
                    open.decrementAndGet();
                    buf.remove(i);
                    n--;
                    int count = refused.incrementAndGet();
                    if (count == 1 || count % 1000 == 0) {
                        log.warn(
                                "{}: {} connections open, closing new ones (receiver.max_connections); {} so far",
                                what,
                                max,
                                count);
                    }
                    child.unsafe().closeForcibly();
                } else {
                    child.closeFuture().addListener(f -> open.decrementAndGet());
                }
            }
            return n;
        }
    }
}
