package io.agstorage.otlp.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.GZIPInputStream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OTLP/HTTP {@code POST /v1/metrics} with {@code application/x-protobuf} or {@code application/json} bodies,
 * optionally gzip-compressed. Answers as the OTLP specification says: 200 with an optional partial success,
 * 400 for a malformed body, 401 without the configured bearer token, 413 above the size limit (decided from
 * Content-Length before reading, else while reading, compressed and decompressed), 415 for another content type
 * or encoding, 503 with Retry-After when the ingestion buffer is full or the database does not confirm.
 */
public final class HttpMetricsHandler implements HttpHandler {

    private static final Logger log = LoggerFactory.getLogger(HttpMetricsHandler.class);
    static final String PATH = "/v1/metrics";
    private static final String PROTOBUF = "application/x-protobuf";
    private static final String JSON = "application/json";

    private final OtlpIngest ingest;
    private final long maxBodyBytes;
    private final byte @Nullable [] expectedAuthorization;
    private final long timeoutMs;
    private final JsonFormat.Parser jsonParser = JsonFormat.parser().ignoringUnknownFields();
    private final JsonFormat.Printer jsonPrinter = JsonFormat.printer().omittingInsignificantWhitespace();
    private final java.util.concurrent.atomic.AtomicInteger active = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean closing;

    public HttpMetricsHandler(OtlpIngest ingest, long maxBodyBytes, @Nullable String bearerToken, long timeoutMs) {
        this.ingest = ingest;
        this.maxBodyBytes = maxBodyBytes;
        this.expectedAuthorization =
                bearerToken == null ? null : ("Bearer " + bearerToken).getBytes(StandardCharsets.UTF_8);
        this.timeoutMs = timeoutMs;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        active.incrementAndGet();
        try (exchange) {
            if (closing) {
                exchange.getResponseHeaders().set("Retry-After", "1");
                sendStatus(exchange, 503, false, "the receiver is shutting down, retry later");
                return;
            }
            serve(exchange);
        } catch (IOException e) {
            log.debug("OTLP/HTTP connection failed: {}", e.getMessage());
        } catch (RuntimeException e) {
            log.error("OTLP/HTTP request failed", e);
            sendStatus(exchange, 500, false, "internal error: " + e);
        } finally {
            active.decrementAndGet();
        }
    }

    /**
     * Answers new requests 503 from now on and waits (at most {@code timeoutMs}) for those in flight to be answered.
     * The JDK server's own {@code stop(delay)} waits the whole delay on Java 17, even when idle.
     */
    public void drain(long timeoutMs) {
        closing = true;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (active.get() > 0 && System.nanoTime() - deadline < 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        String contentType = mediaType(exchange.getRequestHeaders().getFirst("Content-Type"));
        boolean json = JSON.equals(contentType);
        if (!PATH.equals(exchange.getRequestURI().getPath())) {
            sendStatus(
                    exchange,
                    404,
                    json,
                    "no such path " + exchange.getRequestURI().getPath() + " (OTLP metrics are POSTed to " + PATH
                            + ")");
            return;
        }
        if (!"POST".equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().set("Allow", "POST");
            sendStatus(exchange, 405, json, "method must be POST, was " + exchange.getRequestMethod());
            return;
        }
        if (expectedAuthorization != null) {
            String given = exchange.getRequestHeaders().getFirst("Authorization");
            if (given == null
                    || !MessageDigest.isEqual(expectedAuthorization, given.getBytes(StandardCharsets.UTF_8))) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
                sendStatus(exchange, 401, json, "missing or wrong bearer token (header Authorization: Bearer <token>)");
                return;
            }
        }
        if (!json && !PROTOBUF.equals(contentType)) {
            sendStatus(
                    exchange, 415, false, "Content-Type must be " + PROTOBUF + " or " + JSON + ", was " + contentType);
            return;
        }
        String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
        boolean gzip = encoding != null && encoding.trim().equalsIgnoreCase("gzip");
        if (encoding != null && !gzip && !encoding.trim().equalsIgnoreCase("identity")) {
            sendStatus(exchange, 415, json, "Content-Encoding must be gzip or identity, was " + encoding);
            return;
        }
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            long declared;
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                sendStatus(exchange, 400, json, "Content-Length must be a number, was " + length);
                return;
            }
            if (declared > maxBodyBytes) {
                sendStatus(
                        exchange,
                        413,
                        json,
                        "body must be at most " + maxBodyBytes + " bytes, Content-Length was " + declared);
                return;
            }
        }
        byte[] body;
        InputStream raw = new LimitedInputStream(exchange.getRequestBody(), maxBodyBytes, "body");
        try {
            body = gzip
                    ? new LimitedInputStream(new GZIPInputStream(raw), maxBodyBytes, "decompressed body").readAllBytes()
                    : raw.readAllBytes();
        } catch (LimitedInputStream.TooLargeException e) {
            if (gzip) {
                drain(raw);
            }
            sendStatus(exchange, 413, json, e.getMessage());
            return;
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            sendStatus(exchange, 400, json, "body is not valid gzip: " + e.getMessage());
            return;
        }
        OtlpIngest.Decoded request;
        try {
            request = json ? new OtlpIngest.Decoded(parseJson(body), false) : OtlpIngest.decode(body);
        } catch (InvalidProtocolBufferException | CharacterCodingException e) {
            sendStatus(exchange, 400, json, "malformed ExportMetricsServiceRequest: " + e.getMessage());
            return;
        }
        OtlpIngest.Outcome outcome;
        try {
            outcome = ingest.ingest(request).get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            outcome = new OtlpIngest.Outcome.Failed("commit not confirmed within " + timeoutMs + " ms");
        } catch (ExecutionException e) {
            outcome = new OtlpIngest.Outcome.Failed(String.valueOf(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = new OtlpIngest.Outcome.Failed("interrupted");
        }
        if (outcome instanceof OtlpIngest.Outcome.Accepted a) {
            send(exchange, 200, json, a.response());
        } else if (outcome instanceof OtlpIngest.Outcome.TooLarge t) {
            sendStatus(exchange, 413, json, t.message());
        } else {
            exchange.getResponseHeaders().set("Retry-After", "1");
            sendStatus(
                    exchange,
                    503,
                    json,
                    outcome instanceof OtlpIngest.Outcome.Busy b
                            ? b.message()
                            : ((OtlpIngest.Outcome.Failed) outcome).message());
        }
    }

    /** Reads the rest of a (size-limited) body, so the client reads our answer rather than a reset connection. */
    private static void drain(InputStream raw) {
        try {
            raw.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            // too large or broken: the connection closes after the answer anyway
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

    private static String mediaType(@Nullable String header) {
        if (header == null) {
            return "(none)";
        }
        int semicolon = header.indexOf(';');
        return (semicolon >= 0 ? header.substring(0, semicolon) : header).trim().toLowerCase(Locale.ROOT);
    }

    private void sendStatus(HttpExchange exchange, int code, boolean json, String message) {
        com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
                .setCode(code == 400 ? 3 : code == 401 ? 16 : code == 413 ? 8 : code == 503 ? 14 : 2)
                .setMessage(message)
                .build();
        try {
            send(exchange, code, json, status);
        } catch (IOException e) {
            log.debug("could not send {} to the client: {}", code, e.getMessage());
        }
    }

    private void send(HttpExchange exchange, int code, boolean json, Message message) throws IOException {
        byte[] bytes = json ? jsonPrinter.print(message).getBytes(StandardCharsets.UTF_8) : message.toByteArray();
        exchange.getResponseHeaders().set("Content-Type", json ? JSON : PROTOBUF);
        exchange.sendResponseHeaders(code, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
