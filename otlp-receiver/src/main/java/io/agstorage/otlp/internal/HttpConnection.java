package io.agstorage.otlp.internal;

import io.agstorage.otlp.ConnectionLimits;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.ByteBufUtil;
import io.grpc.netty.shaded.io.netty.buffer.CompositeByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.ChannelFutureListener;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.grpc.netty.shaded.io.netty.handler.codec.http.FullHttpResponse;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpContent;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpHeaderNames;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpHeaderValues;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpRequest;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpResponseStatus;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpUtil;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpVersion;
import io.grpc.netty.shaded.io.netty.handler.codec.http.LastHttpContent;
import io.grpc.netty.shaded.io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.grpc.netty.shaded.io.netty.handler.codec.http.TooLongHttpLineException;
import io.grpc.netty.shaded.io.netty.handler.timeout.IdleStateEvent;
import io.grpc.netty.shaded.io.netty.util.ReferenceCountUtil;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One OTLP/HTTP connection: aggregates a request within its deadline and the size and in-flight limits, hands it to
 * the {@link HttpService}, and reads the next request only once the answer is written. Every method runs on the
 * connection's event loop.
 */
final class HttpConnection extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(HttpConnection.class);

    private final NettyHttpServer server;
    private final HttpService service;
    private final ConnectionLimits limits;
    private final long maxBodyBytes;
    private @Nullable HttpRequest head;
    private @Nullable CompositeByteBuf body;
    private long reserved;
    private boolean refused;
    private boolean answering;
    private boolean closeAfterAnswer;
    private @Nullable ScheduledFuture<?> deadline;

    HttpConnection(NettyHttpServer server, HttpService service, ConnectionLimits limits, long maxBodyBytes) {
        this.server = server;
        this.service = service;
        this.limits = limits;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** Sits before the HTTP decoder: a request's deadline starts with its first byte. */
    ChannelHandler firstByteWatch() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof ByteBuf b && b.isReadable()) {
                    startDeadline(ctx);
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    private void startDeadline(ChannelHandlerContext ctx) {
        if (deadline == null && !answering && !refused) {
            long ms = limits.requestTimeout().toMillis();
            deadline = ctx.executor()
                    .schedule(() -> timedOut(ctx.pipeline().context(this), ms), ms, TimeUnit.MILLISECONDS);
        }
    }

    private void timedOut(@Nullable ChannelHandlerContext ctx, long ms) {
        deadline = null;
        if (ctx == null || answering || refused) {
            return;
        }
        refuse(
                ctx,
                service.error(
                        408,
                        "request headers and body must arrive within " + ms + " ms (receiver.request_timeout_ms)",
                        head));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (refused) {
                return;
            }
            if (answering) {
                // A pipelined request: answered by closing the connection after the current answer (clients retry).
                closeAfterAnswer = true;
                return;
            }
            if (msg instanceof HttpRequest request) {
                onHead(ctx, request);
            }
            if (!refused && msg instanceof HttpContent content && body != null) {
                onContent(ctx, content);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onHead(ChannelHandlerContext ctx, HttpRequest request) {
        if (request.decoderResult().isFailure()) {
            Throwable cause = request.decoderResult().cause();
            if (cause instanceof TooLongHttpHeaderException) {
                refuse(
                        ctx,
                        service.error(
                                431,
                                "request headers must be at most " + limits.maxHeaderBytes()
                                        + " bytes (receiver.max_header_bytes)",
                                null));
            } else if (cause instanceof TooLongHttpLineException) {
                refuse(ctx, service.error(414, "request line must be at most 8192 bytes", null));
            } else {
                refuse(ctx, service.error(400, "malformed HTTP request", null));
            }
            return;
        }
        startDeadline(ctx);
        head = request;
        HttpAnswer refusal = service.refuse(request);
        if (refusal != null) {
            refuse(ctx, refusal);
            return;
        }
        if (HttpUtil.is100ContinueExpected(request)) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
        }
        body = ctx.alloc().compositeBuffer(1024);
    }

    private void onContent(ChannelHandlerContext ctx, HttpContent content) {
        CompositeByteBuf b = body;
        ByteBuf bytes = content.content();
        int n = bytes.readableBytes();
        if (b.readableBytes() + (long) n > maxBodyBytes) {
            refuse(ctx, service.error(413, "body must be at most " + maxBodyBytes + " bytes, was more", head));
            return;
        }
        if (n > 0) {
            if (server.inFlightBytes.addAndGet(n) > limits.maxInFlightBytes()) {
                server.inFlightBytes.addAndGet(-n);
                HttpAnswer busy = service.error(
                        503,
                        "the receiver holds " + limits.maxInFlightBytes() + " request bytes already "
                                + "(receiver.max_in_flight_bytes), retry later",
                        head);
                refuse(ctx, withRetryAfter(busy));
                return;
            }
            reserved += n;
            b.addComponent(true, bytes.retain());
        }
        if (content instanceof LastHttpContent) {
            complete(ctx);
        }
    }

    private void complete(ChannelHandlerContext ctx) {
        cancelDeadline();
        HttpRequest request = head;
        CompositeByteBuf b = body;
        body = null;
        byte[] bytes = ByteBufUtil.getBytes(b);
        b.release();
        answering = true;
        server.active.incrementAndGet();
        ctx.channel().config().setAutoRead(false);
        CompletableFuture<HttpAnswer> answer;
        try {
            answer = service.answer(request, bytes);
        } catch (RuntimeException e) {
            log.error("OTLP/HTTP request failed", e);
            answer = CompletableFuture.completedFuture(service.error(500, "internal error", request));
        }
        answer.whenComplete((a, error) -> {
            HttpAnswer out = a;
            if (error != null) {
                log.error("OTLP/HTTP request failed", error);
                out = service.error(500, "internal error", request);
            }
            HttpAnswer written = out;
            try {
                ctx.executor().execute(() -> answered(ctx, request, written));
            } catch (RejectedExecutionException e) {
                releaseReserved();
                server.active.decrementAndGet();
            }
        });
    }

    private void answered(ChannelHandlerContext ctx, HttpRequest request, HttpAnswer answer) {
        boolean keepAlive = HttpUtil.isKeepAlive(request)
                && !closeAfterAnswer
                && ctx.channel().isActive();
        write(ctx, answer, keepAlive).addListener(f -> {
            releaseReserved();
            server.active.decrementAndGet();
            answering = false;
            head = null;
            if (keepAlive && f.isSuccess()) {
                ctx.channel().config().setAutoRead(true);
            } else {
                ctx.close();
            }
        });
    }

    /** Answers now and closes the connection, reading nothing more of it. */
    private void refuse(ChannelHandlerContext ctx, HttpAnswer answer) {
        refused = true;
        cancelDeadline();
        releaseBody();
        releaseReserved();
        ctx.channel().config().setAutoRead(false);
        write(ctx, answer, false).addListener(ChannelFutureListener.CLOSE);
    }

    private static HttpAnswer withRetryAfter(HttpAnswer a) {
        Map<String, String> headers = new java.util.HashMap<>(a.headers());
        headers.put("Retry-After", "1");
        return new HttpAnswer(a.status(), a.contentType(), headers, a.body());
    }

    private static io.grpc.netty.shaded.io.netty.channel.ChannelFuture write(
            ChannelHandlerContext ctx, HttpAnswer answer, boolean keepAlive) {
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(answer.status()),
                Unpooled.wrappedBuffer(answer.body()));
        if (answer.contentType() != null) {
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, answer.contentType());
        }
        answer.headers().forEach((k, v) -> response.headers().set(k, v));
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, answer.body().length);
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return ctx.writeAndFlush(response);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent && !answering && head == null && deadline == null) {
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("OTLP/HTTP connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelDeadline();
        releaseBody();
        if (!answering) {
            releaseReserved();
        }
        ctx.fireChannelInactive();
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    private void releaseBody() {
        if (body != null) {
            body.release();
            body = null;
        }
    }

    private void releaseReserved() {
        if (reserved > 0) {
            server.inFlightBytes.addAndGet(-reserved);
            reserved = 0;
        }
    }
}
