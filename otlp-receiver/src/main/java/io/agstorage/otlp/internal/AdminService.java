package io.agstorage.otlp.internal;

import io.agstorage.otlp.Readiness;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpMethod;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The admin port's answers: {@code GET /health/live} (200 while the process serves), {@code GET /health/ready} (200,
 * or 503 with the reason in plain text) and {@code GET /metrics} (the Prometheus text format).
 */
public final class AdminService implements HttpService {

    public static final String LIVE = "/health/live";
    public static final String READY = "/health/ready";
    public static final String METRICS = "/metrics";
    /** The Prometheus text exposition format, version 0.0.4. */
    public static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final Supplier<Readiness> readiness;
    private final @Nullable Supplier<String> metrics;
    private final Executor executor;

    /**
     * @param metrics the Prometheus text of the meters, or null to answer {@code /metrics} 404
     * @param executor where {@code /metrics} is rendered (off the event loop)
     */
    public AdminService(Supplier<Readiness> readiness, @Nullable Supplier<String> metrics, Executor executor) {
        this.readiness = readiness;
        this.metrics = metrics;
        this.executor = executor;
    }

    private static String path(HttpRequest head) {
        String uri = head.uri();
        int query = uri.indexOf('?');
        return query < 0 ? uri : uri.substring(0, query);
    }

    @Override
    public @Nullable HttpAnswer refuse(HttpRequest head) {
        String path = path(head);
        if (!path.equals(LIVE) && !path.equals(READY) && !(path.equals(METRICS) && metrics != null)) {
            return HttpAnswer.text(
                    404,
                    "no such path: the admin port serves GET " + LIVE + ", " + READY
                            + (metrics != null ? " and " + METRICS : " (no meter registry: no " + METRICS + ")")
                            + "\n");
        }
        if (!head.method().equals(HttpMethod.GET)) {
            return new HttpAnswer(
                    405,
                    "text/plain; charset=utf-8",
                    Map.of("Allow", "GET"),
                    ("method must be GET, was " + head.method() + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return null;
    }

    @Override
    public CompletableFuture<HttpAnswer> answer(HttpRequest head, byte[] body) {
        String path = path(head);
        if (path.equals(LIVE)) {
            return CompletableFuture.completedFuture(HttpAnswer.text(200, "live\n"));
        }
        if (path.equals(READY)) {
            Readiness r = readiness.get();
            return CompletableFuture.completedFuture(
                    r.ready()
                            ? HttpAnswer.text(200, "ready\n")
                            : HttpAnswer.text(503, "not ready: " + r.reason() + "\n"));
        }
        Supplier<String> scrape = java.util.Objects.requireNonNull(metrics);
        return CompletableFuture.supplyAsync(
                () -> new HttpAnswer(
                        200, PROMETHEUS_TEXT, Map.of(), scrape.get().getBytes(StandardCharsets.UTF_8)),
                executor);
    }

    @Override
    public HttpAnswer error(int status, String message, @Nullable HttpRequest head) {
        return HttpAnswer.text(status, message + "\n");
    }
}
