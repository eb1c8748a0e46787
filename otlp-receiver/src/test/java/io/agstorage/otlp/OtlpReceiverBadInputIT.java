package io.agstorage.otlp;

import static io.agstorage.otlp.Requests.gauge;
import static io.agstorage.otlp.Requests.histogram;
import static io.agstorage.otlp.Requests.kv;
import static io.agstorage.otlp.Requests.post;
import static io.agstorage.otlp.Requests.request;
import static io.agstorage.otlp.Requests.response;
import static io.agstorage.otlp.Requests.status;
import static io.agstorage.otlp.Requests.sum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agstorage.core.testing.DatabaseExtension;
import io.agstorage.otel.testing.Stored;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each kind of bad input gets its status, and the valid points of the same request are stored. */
class OtlpReceiverBadInputIT {

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("otel_bad").withEngine();

    private OtlpReceiver receiver;
    private ManagedChannel channel;
    private Stored stored;

    @BeforeEach
    void start() {
        receiver = OtlpReceiver.builder()
                .setEngine(db.engine())
                .setHost("127.0.0.1")
                .setGrpcPort(0)
                .setHttpPort(0)
                .start();
        channel = Requests.channel(receiver.grpcPort());
        stored = new Stored(db);
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        receiver.close();
    }

    private double okGauge() {
        return Double.parseDouble(stored.query(
                "SELECT coalesce(sum(s.value), 'NaN') FROM $S.samples s JOIN $S.series r ON r.id = s.series_id "
                        + "WHERE r.metric = 'ok.gauge'"));
    }

    /**
     * A request holding one valid gauge (value 42) and {@code bad}; both transports must store the gauge and refuse
     * {@code bad}.
     */
    private void assertPartialSuccess(Metric bad, String message) throws Exception {
        ExportMetricsServiceRequest request = request(gauge("ok.gauge", 42, kv("via", "http")), bad);
        HttpResponse<byte[]> http = post(receiver.httpPort(), request);
        assertThat(http.statusCode()).isEqualTo(200);
        assertThat(response(http).getPartialSuccess().getRejectedDataPoints()).isEqualTo(1);
        assertThat(response(http).getPartialSuccess().getErrorMessage()).isEqualTo("1 data point rejected: " + message);
        assertThat(okGauge()).isEqualTo(42.0);

        ExportMetricsServiceResponse grpc = Requests.grpcExport(
                channel, request(gauge("ok.gauge", 8, kv("via", "grpc")), bad).toByteArray());
        assertThat(grpc.getPartialSuccess().getRejectedDataPoints()).isEqualTo(1);
        assertThat(grpc.getPartialSuccess().getErrorMessage()).isEqualTo("1 data point rejected: " + message);
        assertThat(okGauge()).isEqualTo(50.0);
    }

    @Test
    void histogramWhoseBucketCountsDoNotMatchItsBoundsIsRefusedAlone() throws Exception {
        assertPartialSuccess(
                histogram("bad.histogram", List.of(1.0, 5.0), List.of(1L, 2L), 3, 4.5),
                "metric 'bad.histogram': bucket_counts must have bucket_bounds.length + 1 = 3 entries, was 2");
    }

    @Test
    void nanSumIsRefusedAlone() throws Exception {
        assertPartialSuccess(
                sum("bad.sum", false, Requests.NOW_NANOS - 1_000, Requests.NOW_NANOS, Double.NaN),
                "metric 'bad.sum': value must be finite, was NaN");
    }

    @Test
    void pointWithTenThousandAttributesIsRefusedAlone() throws Exception {
        KeyValue[] many = new KeyValue[10_000];
        for (int i = 0; i < many.length; i++) {
            many[i] = kv("k" + i, "v");
        }
        // 10,000 attributes + resource.service.name + scope.name
        assertPartialSuccess(
                gauge("bad.wide", 1, many), "metric 'bad.wide': labels must have at most 128 entries, was 10002");
    }

    @Test
    void invalidUtf8InAnAttributeKeyRefusesOnlyThatPoint() throws Exception {
        for (String via : new String[] {"http", "grpc"}) {
            byte[] body = request(gauge("ok.gauge", 1, kv("via", via)), gauge("bad.key", 1, kv("KEY@@", "v")))
                    .toByteArray();
            byte[] marker = "KEY@@".getBytes(StandardCharsets.US_ASCII);
            int at = indexOf(body, marker);
            body[at + 3] = (byte) 0xC3; // a lead byte followed by '@': not UTF-8
            String expected =
                    "1 data point rejected: metric 'bad.key': attribute key must be valid UTF-8, was 'KEY\uFFFD@' "
                            + "(invalid bytes shown as U+FFFD)";
            if (via.equals("http")) {
                HttpResponse<byte[]> http = post(receiver.httpPort(), "application/x-protobuf", body);
                assertThat(http.statusCode()).isEqualTo(200);
                assertThat(response(http).getPartialSuccess().getErrorMessage()).isEqualTo(expected);
            } else {
                assertThat(Requests.grpcExport(channel, body)
                                .getPartialSuccess()
                                .getErrorMessage())
                        .isEqualTo(expected);
            }
        }
        assertThat(okGauge()).isEqualTo(2.0);
        assertThat(stored.query("SELECT count(*) FROM $S.series WHERE metric = 'bad.key'"))
                .isEqualTo("0");
    }

    @Test
    void truncatedProtobufIsInvalidArgument() throws Exception {
        byte[] whole = request(gauge("ok.gauge", 1), gauge("ok.gauge2", 2)).toByteArray();
        byte[] truncated = Arrays.copyOf(whole, whole.length - 5);
        HttpResponse<byte[]> http = post(receiver.httpPort(), "application/x-protobuf", truncated);
        assertThat(http.statusCode()).isEqualTo(400);
        assertThat(status(http).getMessage()).startsWith("malformed ExportMetricsServiceRequest: ");
        assertThat(status(http).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
        assertThatThrownBy(() -> Requests.grpcExport(channel, truncated))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).startsWith("malformed ExportMetricsServiceRequest: ");
                });
        assertThat(stored.count("series")).isZero();
    }

    @Test
    void malformedJsonIsBadRequestAnsweredInJson() {
        HttpResponse<byte[]> http = post(
                receiver.httpPort(), "application/json", "{\"resourceMetrics\": [".getBytes(StandardCharsets.UTF_8));
        assertThat(http.statusCode()).isEqualTo(400);
        assertThat(http.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(new String(http.body(), StandardCharsets.UTF_8))
                .startsWith("{\"code\":3,\"message\":\"malformed ExportMetricsServiceRequest: ");
    }

    @Test
    void wrongContentTypeIsUnsupportedMediaType() throws Exception {
        HttpResponse<byte[]> http = post(
                receiver.httpPort(), "text/plain", request(gauge("ok.gauge", 1)).toByteArray());
        assertThat(http.statusCode()).isEqualTo(415);
        assertThat(status(http).getMessage())
                .isEqualTo("Content-Type must be application/x-protobuf or application/json, was text/plain");
        assertThat(stored.count("series")).isZero();
    }

    @Test
    void hundredMegabyteBodyIsRefusedFromItsContentLengthWithoutBeingRead() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", receiver.httpPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-protobuf\r\n"
                            + "Content-Length: 104857600\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = readAnswer(socket.getInputStream());
            assertThat(answer).startsWith("HTTP/1.1 413");
            assertThat(answer).contains("body must be at most 16777216 bytes, Content-Length was 104857600");
        }
    }

    @Test
    void gzipBodyDecompressingToHundredMegabytesIsRefusedWhileReading() throws Exception {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(compressed)) {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 100; i++) {
                gzip.write(zeros);
            }
        }
        HttpResponse<byte[]> http = post(
                receiver.httpPort(), "application/x-protobuf", compressed.toByteArray(), "Content-Encoding", "gzip");
        assertThat(http.statusCode()).isEqualTo(413);
        assertThat(status(http).getMessage()).isEqualTo("decompressed body must be at most 16777216 bytes, was more");
    }

    @Test
    void grpcMessageAboveTheLimitIsResourceExhausted() {
        byte[] big = new byte[17 * 1024 * 1024];
        assertThatThrownBy(() -> Requests.grpcExport(channel, big))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
    }

    @Test
    void unknownPathAndMethodAreRefused() {
        HttpResponse<byte[]> get;
        try {
            get = java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                                            "http://127.0.0.1:" + receiver.httpPort() + "/v1/metrics"))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.ofByteArray());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).hasValue("POST");
    }

    private static String readAnswer(InputStream in) throws java.io.IOException {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        int n;
        while ((n = in.read(buf)) > 0) {
            answer.write(buf, 0, n);
            if (answer.size() > 64
                    && new String(answer.toByteArray(), StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
                String text = new String(answer.toByteArray(), StandardCharsets.ISO_8859_1);
                int headerEnd = text.indexOf("\r\n\r\n") + 4;
                int length = contentLength(text);
                if (answer.size() >= headerEnd + length) {
                    break;
                }
            }
        }
        return new String(answer.toByteArray(), StandardCharsets.ISO_8859_1);
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                return Integer.parseInt(line.substring(15).trim());
            }
        }
        return 0;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalArgumentException("marker not found");
    }
}
