package io.agstorage.otlp.internal;

import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpRequest;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/** What {@link NettyHttpServer} serves: it reads and limits requests, the service answers them. */
public interface HttpService {

    /**
     * Called once a request's headers are in. An answer refuses the request without reading its body (the connection
     * is closed after it); null reads the body and calls {@link #answer}.
     */
    @Nullable
    HttpAnswer refuse(HttpRequest head);

    /** Answers a whole request; may complete on any thread. */
    CompletableFuture<HttpAnswer> answer(HttpRequest head, byte[] body);

    /**
     * An answer the server decided itself (408, 413, 431, 503 past a limit), in the format the service answers errors
     * in; {@code head} is null when the headers themselves could not be read.
     */
    HttpAnswer error(int status, String message, @Nullable HttpRequest head);
}
