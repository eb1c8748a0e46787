package io.agstorage.otlp.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpHeaders;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpMethod;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpRequest;
import io.grpc.netty.shaded.io.netty.handler.codec.http.QueryStringDecoder;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.GZIPInputStream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OTLP/HTTP {@code POST /v1/metrics} with {@code application/x-protobuf} or {@code application/json} bodies,
 * optionally gzip-compressed, served by {@link NettyHttpServer}. Answers as the OTLP specification says: 200 with an
 * optional partial success, 400 for a malformed body, 401 without the configured bearer token, 413 above the size
 * limit (decided from Content-Length before reading, else while reading, compressed and decompressed), 415 for another
 * content type or encoding, 503 with Retry-After when the ingestion buffer is full or the database does not confirm.
 * Error bodies are a {@code google.rpc.Status} with a short reason; what the database said is logged, never sent.
 */
public final class HttpMetricsHandler implements HttpService {

    private static final Logger log = LoggerFactory.getLogger(HttpMetricsHandler.class);
    static final String PATH = "/v1/metrics";
    private static final String PROTOBUF = "application/x-protobuf";
    private static final String JSON = "application/json";

    private final OtlpIngest ingest;
    private final long maxBodyBytes;
    private final byte @Nullable [] expectedAuthorization;
    private final long timeoutMs;
    private final Executor executor;
    private final JsonFormat.Parser jsonParser = JsonFormat.parser().ignoringUnknownFields();
    private final JsonFormat.Printer jsonPrinter = JsonFormat.printer().omittingInsignificantWhitespace();
    private final AtomicInteger active = new AtomicInteger();
    private volatile boolean closing;

    /** Decoding and waiting for the commit run on {@code executor}, never on the network threads. */
    public HttpMetricsHandler(
            OtlpIngest ingest, long maxBodyBytes, @Nullable String bearerToken, long timeoutMs, Executor executor) {
        this.ingest = ingest;
        this.maxBodyBytes = maxBodyBytes;
        this.expectedAuthorization =
                bearerToken == null ? null : ("Bearer " + bearerToken).getBytes(StandardCharsets.UTF_8);
        this.timeoutMs = timeoutMs;
        this.executor = executor;
    }

    @Override
    public @Nullable HttpAnswer refuse(HttpRequest head) {
        HttpHeaders headers = head.headers();
        boolean json = isJson(head);
        String path = new QueryStringDecoder(head.uri()).path();
        if (!PATH.equals(path)) {
            return status(404, json, "no such path (OTLP metrics are POSTed to " + PATH + ")");
        }
        if (!HttpMethod.POST.equals(head.method())) {
            return status(405, json, "method must be POST, was " + head.method(), "Allow", "POST");
        }
        if (expectedAuthorization != null) {
            String given = headers.get("Authorization");
            if (given == null
                    || !MessageDigest.isEqual(expectedAuthorization, given.getBytes(StandardCharsets.UTF_8))) {
                return status(
                        401,
                        json,
                        "missing or wrong bearer token (header Authorization: Bearer <token>)",
                        "WWW-Authenticate",
                        "Bearer");
            }
        }
        String contentType = mediaType(headers.get("Content-Type"));
        if (!json && !PROTOBUF.equals(contentType)) {
            return status(
                    415, false, "Content-Type must be " + PROTOBUF + " or " + JSON + ", was " + shorten(contentType));
        }
        String encoding = headers.get("Content-Encoding");
        if (encoding != null && !isGzip(encoding) && !encoding.trim().equalsIgnoreCase("identity")) {
            return status(415, json, "Content-Encoding must be gzip or identity, was " + shorten(encoding));
        }
        String length = headers.get("Content-Length");
        if (length != null) {
            long declared;
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                return status(400, json, "Content-Length must be a number, was " + shorten(length));
            }
            if (declared > maxBodyBytes) {
                return status(
                        413, json, "body must be at most " + maxBodyBytes + " bytes, Content-Length was " + declared);
            }
        }
        if (closing) {
            return status(503, json, "the receiver is shutting down, retry later", "Retry-After", "1");
        }
        return null;
    }

    @Override
    public CompletableFuture<HttpAnswer> answer(HttpRequest head, byte[] body) {
        active.incrementAndGet();
        try {
            return CompletableFuture.supplyAsync(() -> serve(head, body), executor)
                    .whenComplete((a, e) -> active.decrementAndGet());
        } catch (RejectedExecutionException e) {
            active.decrementAndGet();
            return CompletableFuture.completedFuture(
                    status(503, isJson(head), "the receiver is shutting down, retry later", "Retry-After", "1"));
        }
    }

    @Override
    public HttpAnswer error(int code, String message, @Nullable HttpRequest head) {
        return status(code, head != null && isJson(head), message);
    }

    /**
     * Answers new requests 503 from now on and waits (at most {@code timeoutMs}) for those in flight to be answered.
     */
    public void drain(long timeoutMs) {
        closing = true;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (active.get() > 0 && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    private HttpAnswer serve(HttpRequest head, byte[] raw) {
        boolean json = isJson(head);
        String encoding = head.headers().get("Content-Encoding");
        byte[] body = raw;
        if (encoding != null && isGzip(encoding)) {
            try {
                body = new LimitedInputStream(
                                new GZIPInputStream(new ByteArrayInputStream(raw)), maxBodyBytes, "decompressed body")
                        .readAllBytes();
            } catch (LimitedInputStream.TooLargeException e) {
                return status(413, json, e.getMessage());
            } catch (IOException e) {
                return status(400, json, "body is not valid gzip: " + e.getMessage());
            }
        }
        OtlpIngest.Decoded request;
        try {
            request = json ? new OtlpIngest.Decoded(parseJson(body), false) : OtlpIngest.decode(body);
        } catch (InvalidProtocolBufferException | CharacterCodingException e) {
            return status(400, json, "malformed ExportMetricsServiceRequest: " + e.getMessage());
        }
        OtlpIngest.Outcome outcome;
        try {
            outcome = ingest.ingest(request).get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            outcome = new OtlpIngest.Outcome.Failed("commit not confirmed within " + timeoutMs + " ms, retry later");
        } catch (ExecutionException e) {
            log.warn("OTLP/HTTP request not stored", e.getCause());
            outcome = new OtlpIngest.Outcome.Failed(OtlpIngest.NOT_COMMITTED);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = new OtlpIngest.Outcome.Failed("interrupted, retry later");
        }
        if (outcome instanceof OtlpIngest.Outcome.Accepted a) {
            return answer(200, json, a.response());
        } else if (outcome instanceof OtlpIngest.Outcome.TooLarge t) {
            return status(413, json, t.message());
        } else {
            return status(
                    503,
                    json,
                    outcome instanceof OtlpIngest.Outcome.Busy b
                            ? b.message()
                            : ((OtlpIngest.Outcome.Failed) outcome).message(),
                    "Retry-After",
                    "1");
        }
    }

    private ExportMetricsServiceRequest parseJson(byte[] body)
            throws InvalidProtocolBufferException, CharacterCodingException {
        String text = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(java.nio.ByteBuffer.wrap(body))
                .toString();
        ExportMetricsServiceRequest.Builder builder = ExportMetricsServiceRequest.newBuilder();
        try {
            jsonParser.merge(OtlpJson.hexIdsToBase64(text), builder);
        } catch (RuntimeException e) {
            // JsonFormat throws gson's exceptions on some malformed input.
            throw new InvalidProtocolBufferException(e.getMessage());
        }
        return builder.build();
    }

    private static boolean isJson(HttpRequest head) {
        return JSON.equals(mediaType(head.headers().get("Content-Type")));
    }

    private static boolean isGzip(String encoding) {
        return encoding.trim().equalsIgnoreCase("gzip");
    }

    private static String mediaType(@Nullable String header) {
        if (header == null) {
            return "(none)";
        }
        int semicolon = header.indexOf(';');
        return (semicolon >= 0 ? header.substring(0, semicolon) : header).trim().toLowerCase(Locale.ROOT);
    }

    /** A client's header value quoted in an answer, cut to 100 characters. */
    private static String shorten(String value) {
        return value.length() <= 100 ? value : value.substring(0, 100) + "...";
    }

    private HttpAnswer status(int code, boolean json, String message, String... headers) {
        com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
                .setCode(code == 400 ? 3 : code == 401 ? 16 : code == 413 ? 8 : code == 503 ? 14 : 2)
                .setMessage(message)
                .build();
        HttpAnswer a = answer(code, json, status);
        if (headers.length == 0) {
            return a;
        }
        Map<String, String> extra = new java.util.HashMap<>();
        for (int i = 0; i + 1 < headers.length; i += 2) {
            extra.put(headers[i], headers[i + 1]);
        }
        return new HttpAnswer(a.status(), a.contentType(), extra, a.body());
    }

    private HttpAnswer answer(int code, boolean json, Message message) {
        byte[] bytes;
        try {
            bytes = json ? jsonPrinter.print(message).getBytes(StandardCharsets.UTF_8) : message.toByteArray();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot print " + message.getClass().getSimpleName() + " as JSON", e);
        }
        return new HttpAnswer(code, json ? JSON : PROTOBUF, Map.of(), bytes);
    }
}
