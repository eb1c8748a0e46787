package io.agstorage.otlp;

import static io.agstorage.otlp.Requests.gauge;
import static io.agstorage.otlp.Requests.nanos;
import static io.agstorage.otlp.Requests.post;
import static io.agstorage.otlp.Requests.request;
import static io.agstorage.otlp.Requests.response;
import static io.agstorage.otlp.Requests.status;
import static io.agstorage.otlp.Requests.sum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.rpc.RetryInfo;
import io.agstorage.core.MetricSeries;
import io.agstorage.core.testing.DatabaseExtension;
import io.agstorage.core.testing.TcpProxy;
import io.agstorage.otel.testing.Scenario;
import io.agstorage.otel.testing.Stored;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Cumulative data across resets and restarts, summaries, auth, back-pressure and TLS. */
class OtlpReceiverBehaviourIT {

    private static final long SECOND = 1_000_000_000L;

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("otel_beh").withEngine();

    private OtlpReceiver receiver;
    private Stored stored;

    @BeforeEach
    void start() {
        stored = new Stored(db);
    }

    @AfterEach
    void stop() {
        if (receiver != null) {
            receiver.close();
        }
    }

    private OtlpReceiver.Builder receiver() {
        return OtlpReceiver.builder()
                .setEngine(db.engine())
                .setHost("127.0.0.1")
                .setGrpcPort(0)
                .setHttpPort(0);
    }

    private List<String> deltas(String metric) {
        return stored.rows(
                "SELECT s.value FROM $S.samples s JOIN $S.series r ON r.id = s.series_id WHERE r.metric = ? ORDER BY "
                        + "s.time",
                metric);
    }

    private void send(long start, long time, double value) throws Exception {
        HttpResponse<byte[]> r = post(receiver.httpPort(), request(sum("trades", true, start, time, value)));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(response(r).hasPartialSuccess()).isFalse();
    }

    @Test
    void cumulativeSumsAreStoredAsExactDeltasAcrossResetsRetriesAndReceiverRestarts() throws Exception {
        receiver = receiver().start();
        long ms = 1_000_000L;
        long t0 = nanos(Instant.now());
        send(t0, t0 + ms, 10); // first seen, started after the receiver: all of it
        send(t0, t0 + 2 * ms, 15); // +5
        send(t0, t0 + 2 * ms, 15); // the same point again (a client retry): nothing
        long restart = t0 + 5 * ms / 2;
        send(restart, t0 + 3 * ms, 4); // new start time: a reset, all of it
        send(restart, t0 + 4 * ms, 3); // a monotonic sum that dropped: a reset without a new start time
        assertThat(deltas("trades")).containsExactly("10.0", "5.0", "4.0", "3.0");
        assertThat(stored.query("SELECT type || ' ' || temporality FROM $S.series WHERE metric = 'trades'"))
                .isEqualTo("counter delta");

        // A new receiver continues from the state the previous one left in the database: nothing lost, nothing twice.
        receiver.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> nanos(Instant.now()) > restart);
        receiver = receiver().start();
        send(restart, t0 + 5 * ms, 8);
        send(restart, t0 + 6 * ms, 9);
        assertThat(deltas("trades")).containsExactly("10.0", "5.0", "4.0", "3.0", "5.0", "1.0");
        // "Increase over a bucket" is a plain sum, the same query as for delta data.
        var buckets = db.engine()
                .queryAggregated(
                        "trades",
                        Instant.ofEpochSecond(0, t0 - SECOND),
                        Instant.ofEpochSecond(0, t0 + SECOND),
                        Duration.ofHours(1),
                        io.agstorage.core.Aggregation.SUM);
        assertThat(buckets.buckets())
                .extracting(io.agstorage.core.Bucket::value)
                .containsExactly(28.0);
    }

    @Test
    void summariesBecomeQuantileSeriesAndCountAndSumCounters() throws Exception {
        receiver = receiver().start();
        long t0 = nanos(Instant.now());
        double[] q = {0.5, 0.99, 1.0};
        assertThat(post(
                                receiver.httpPort(),
                                request(Requests.summary(
                                        "rpc.latency", t0, t0 + SECOND, 10, 55, q, new double[] {5, 9.9, 10})))
                        .statusCode())
                .isEqualTo(200);
        assertThat(post(
                                receiver.httpPort(),
                                request(Requests.summary(
                                        "rpc.latency", t0, t0 + 2 * SECOND, 15, 80, q, new double[] {6, 9.5, 12})))
                        .statusCode())
                .isEqualTo(200);
        assertThat(stored.rows(
                        "SELECT r.labels->>'quantile', r.type, s.value FROM $S.samples s JOIN $S.series r ON r.id = "
                                + "s.series_id "
                                + "WHERE r.metric = 'rpc.latency' ORDER BY (r.labels->>'quantile')::float8, s.time"))
                .containsExactly(
                        "0.5 | summary | 5.0",
                        "0.5 | summary | 6.0",
                        "0.99 | summary | 9.9",
                        "0.99 | summary | 9.5",
                        "1 | summary | 10.0",
                        "1 | summary | 12.0");
        assertThat(deltas("rpc.latency_count")).containsExactly("10.0", "5.0");
        assertThat(deltas("rpc.latency_sum")).containsExactly("55.0", "25.0");
    }

    @Test
    void bearerTokenIsRequiredOnBothTransportsWhenSet() throws Exception {
        receiver = receiver().setBearerToken("s3cret").start();
        HttpResponse<byte[]> without = post(receiver.httpPort(), request(gauge("ok.gauge", 1)));
        assertThat(without.statusCode()).isEqualTo(401);
        assertThat(without.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        assertThat(status(without).getMessage())
                .isEqualTo("missing or wrong bearer token (header Authorization: Bearer <token>)");
        assertThat(post(
                                receiver.httpPort(),
                                "application/x-protobuf",
                                request(gauge("ok.gauge", 1)).toByteArray(),
                                "Authorization",
                                "Bearer wrong")
                        .statusCode())
                .isEqualTo(401);
        assertThat(post(
                                receiver.httpPort(),
                                "application/x-protobuf",
                                request(gauge("ok.gauge", 1)).toByteArray(),
                                "Authorization",
                                "Bearer s3cret")
                        .statusCode())
                .isEqualTo(200);

        ManagedChannel channel = Requests.channel(receiver.grpcPort());
        try {
            assertThatThrownBy(() -> Requests.grpcExport(
                            channel, request(gauge("ok.gauge", 1)).toByteArray()))
                    .isInstanceOfSatisfying(
                            StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        exportOnce(OtlpGrpcMetricExporter.builder()
                .setEndpoint("http://127.0.0.1:" + receiver.grpcPort())
                .addHeader("Authorization", "Bearer s3cret")
                .build());
        assertThat(stored.sum("orders.placed", "a")).isEqualTo(3.0);
    }

    private static void exportOnce(MetricExporter exporter) {
        Scenario s = new Scenario(PeriodicMetricReader.builder(exporter)
                .setInterval(Duration.ofHours(1))
                .build());
        s.first();
        s.provider().shutdown().join(20, TimeUnit.SECONDS);
    }

    @Test
    void fullIngestionBufferIsAnsweredRetryLaterAndTheRetryIsStoredOnce() throws Exception {
        db.engine().close();
        TcpProxy proxy = TcpProxy.forJdbcUrl(db.url());
        try {
            db.replaceEngine(
                    b -> b.setUrl(proxy.proxiedUrl(db.url())).setBatchSize(64).setMaxBufferSize(256));
            receiver = receiver().start();
            proxy.cut();
            MetricSeries filler = db.engine().series("filler", Map.of());
            long t = nanos(Instant.now()) / 1_000;
            int filled = 0;
            while (filler.record(1.0, t + filled)) {
                filled++;
            }
            byte[] body = request(gauge("ok.gauge", 42)).toByteArray();
            HttpResponse<byte[]> busy = post(receiver.httpPort(), "application/x-protobuf", body);
            assertThat(busy.statusCode()).isEqualTo(503);
            assertThat(busy.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(status(busy).getMessage()).isEqualTo("ingestion buffer full, retry later");
            ManagedChannel channel = Requests.channel(receiver.grpcPort());
            try {
                assertThatThrownBy(() -> Requests.grpcExport(channel, body))
                        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                            com.google.rpc.Status detail = StatusProto.fromThrowable(e);
                            assertThat(detail).isNotNull();
                            try {
                                assertThat(detail.getDetails(0)
                                                .unpack(RetryInfo.class)
                                                .getRetryDelay()
                                                .getSeconds())
                                        .isEqualTo(1);
                            } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
                                throw new AssertionError(ex);
                            }
                        });
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            assertThat(receiver.busyRequests()).isEqualTo(2);
            var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
            new OtlpReceiverMetrics(receiver).bindTo(registry);
            assertThat(registry.get("ag_storage.otlp.requests.busy")
                            .tag("schema", db.schema())
                            .functionCounter()
                            .count())
                    .isEqualTo(2.0);

            proxy.restore();
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> post(receiver.httpPort(), "application/x-protobuf", body)
                                    .statusCode()
                            == 200);
            db.engine().flushBuffer();
            assertThat(stored.query("SELECT sum(s.value) FROM $S.samples s JOIN $S.series r ON r.id = s.series_id "
                            + "WHERE r.metric = 'ok.gauge'"))
                    .isEqualTo("42");
            assertThat(stored.query("SELECT count(*) FROM $S.samples s JOIN $S.series r ON r.id = s.series_id WHERE "
                            + "r.metric = 'filler'"))
                    .isEqualTo(String.valueOf(filled));
        } finally {
            proxy.close();
        }
    }

    @Test
    void tlsServesBothTransportsWithAPemCertificateAndKey(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process openssl = new ProcessBuilder(
                        "openssl",
                        "req",
                        "-x509",
                        "-newkey",
                        "rsa:2048",
                        "-nodes",
                        "-keyout",
                        key.toString(),
                        "-out",
                        cert.toString(),
                        "-days",
                        "1",
                        "-subj",
                        "/CN=localhost",
                        "-addext",
                        "subjectAltName=IP:127.0.0.1,DNS:localhost")
                .redirectErrorStream(true)
                .start();
        assertThat(openssl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(openssl.exitValue())
                .as(new String(openssl.getInputStream().readAllBytes()))
                .isZero();
        receiver = receiver().setTls(cert, key).start();
        byte[] trusted = Files.readAllBytes(cert);

        exportOnce(OtlpHttpMetricExporter.builder()
                .setEndpoint("https://127.0.0.1:" + receiver.httpPort() + "/v1/metrics")
                .setTrustedCertificates(trusted)
                .build());
        assertThat(stored.sum("orders.placed", "a")).isEqualTo(3.0);
        exportOnce(OtlpGrpcMetricExporter.builder()
                .setEndpoint("https://127.0.0.1:" + receiver.grpcPort())
                .setTrustedCertificates(trusted)
                .build());
        assertThat(stored.sum("orders.placed", "a")).isEqualTo(6.0);
    }
}
