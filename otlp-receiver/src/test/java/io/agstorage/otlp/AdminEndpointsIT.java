package io.agstorage.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agstorage.core.MetricSeries;
import io.agstorage.core.testing.DatabaseExtension;
import io.agstorage.core.testing.TcpProxy;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone receiver's admin port ({@code receiver.admin_port}): liveness, readiness against the real database
 * (cut and restored through a TCP proxy), Prometheus meters, and the standard gRPC health service on the OTLP/gRPC
 * port.
 */
class AdminEndpointsIT {

    private static final String METRICS_SERVICE = "opentelemetry.proto.collector.metrics.v1.MetricsService";

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("otlp_admin");

    @TempDir
    Path dir;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private TcpProxy proxy;
    private OtlpReceiverMain.Running running;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws IOException {
        proxy = TcpProxy.forJdbcUrl(db.url());
        Path config = dir.resolve("config.yaml");
        Files.writeString(
                config,
                "database:\n  url: \"" + proxy.proxiedUrl(db.url()) + "\"\n  schema: " + db.schema() + "\n"
                        + "  max_connections: 4\n  connection_timeout_sec: 5\n"
                        + "ingestion:\n  max_buffer_size: 1024\n  batch_size: 256\n  write_timeout_ms: 2000\n"
                        + "receiver:\n  grpc_port: 0\n  http_port: 0\n  admin_port: 0\n  spool_directory: \""
                        + dir.resolve("spool") + "\"\n");
        running = OtlpReceiverMain.start(new String[] {"--config", config.toString()}, Map.of());
        channel = Requests.channel(running.receiver.grpcPort());
    }

    @AfterEach
    void stop() throws Exception {
        proxy.restore();
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (running != null) {
            running.close();
        }
        proxy.close();
    }

    private int adminPort() {
        return running.admin.port();
    }

    private HttpResponse<String> get(String path) {
        try {
            return http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort() + path))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("GET " + path + " on the admin port " + adminPort() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private ServingStatus grpcHealth(String service) {
        return HealthGrpc.newBlockingStub(channel)
                .withDeadlineAfter(5, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService(service).build())
                .getStatus();
    }

    @Test
    void liveAndReadyAnswer200OnceTheReceiverIsStarted() {
        HttpResponse<String> live = get("/health/live");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.body()).isEqualTo("live\n");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<String> ready = get("/health/ready");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).isEqualTo("ready\n");
        });
    }

    @Test
    void grpcHealthServiceAnswersServingForTheServerAndTheMetricsService() {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(grpcHealth("")).isEqualTo(ServingStatus.SERVING);
            assertThat(grpcHealth(METRICS_SERVICE)).isEqualTo(ServingStatus.SERVING);
        });
    }

    @Test
    void readyAnswers503NamingTheDatabaseWhileTheNetworkToItIsCutAnd200OnceItIsBack() {
        await().atMost(Duration.ofSeconds(10)).until(() -> get("/health/ready").statusCode() == 200);
        proxy.cut();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            HttpResponse<String> ready = get("/health/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
            assertThat(ready.body()).startsWith("not ready: database unreachable");
            assertThat(grpcHealth("")).isEqualTo(ServingStatus.NOT_SERVING);
        });
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
        proxy.restore();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(get("/health/ready").statusCode()).isEqualTo(200);
            assertThat(grpcHealth("")).isEqualTo(ServingStatus.SERVING);
        });
    }

    @Test
    void readyAnswers503WhileTheIngestionBufferIsFull() {
        await().atMost(Duration.ofSeconds(10)).until(() -> get("/health/ready").statusCode() == 200);
        proxy.cut();
        MetricSeries filler = running.engine.series("filler", Map.of());
        long t = System.currentTimeMillis() * 1_000;
        int filled = 0;
        while (filler.record(1.0, t + filled)) {
            filled++;
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            HttpResponse<String> ready = get("/health/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("ingestion buffer full (1024 of 1024 entries waiting)");
        });
        proxy.restore();
        await().atMost(Duration.ofSeconds(60)).until(() -> get("/health/ready").statusCode() == 200);
    }

    @Test
    void metricsAnswerInPrometheusTextFormatWithTheReceiversTheEnginesAndTheRetentionSchedulersMeters() {
        assertThat(Requests.post(running.receiver.httpPort(), Requests.request(Requests.gauge("admin.gauge", 1)))
                        .statusCode())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<String> metrics = get("/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("Content-Type"))
                    .hasValue("text/plain; version=0.0.4; charset=utf-8");
            String schema = "schema=\"" + db.schema() + "\"";
            assertThat(metrics.body())
                    .contains("# TYPE ag_storage_otlp_points_total counter")
                    .contains("ag_storage_otlp_points_total{outcome=\"accepted\"," + schema + "} 1.0")
                    .contains("ag_storage_otlp_spool_points_total{outcome=\"spooled\"," + schema + "} 1.0")
                    .contains("ag_storage_ingestion_committed_total{" + schema + "} 1.0")
                    .contains("ag_storage_ingestion_buffer_size{" + schema + "} 1024.0")
                    .contains("ag_storage_series_known{" + schema + "}")
                    .contains("ag_storage_retention_runs_total{outcome=\"completed\"," + schema + "}")
                    .contains("jvm_memory_used_bytes");
        });
    }

    @Test
    void otherPathsAndMethodsAreRefused() {
        HttpResponse<String> unknown = get("/status");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body())
                .isEqualTo("no such path: the admin port serves GET /health/live, /health/ready and " + "/metrics\n");
        try {
            HttpResponse<String> post = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort() + "/health/live"))
                            .POST(HttpRequest.BodyPublishers.ofString("x"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(post.headers().firstValue("Allow")).hasValue("GET");
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
