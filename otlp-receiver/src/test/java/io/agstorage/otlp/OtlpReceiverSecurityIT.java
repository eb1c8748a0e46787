package io.agstorage.otlp;

import static io.agstorage.otlp.Requests.gauge;
import static io.agstorage.otlp.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.agstorage.core.testing.DatabaseExtension;
import io.agstorage.otlp.testing.TestCertificates;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Who may write: the bind address, bearer token and TLS rules at start, mutual TLS, and what error bodies say. */
class OtlpReceiverSecurityIT {

    private static final String REFUSED = "receiver.host 0.0.0.0 is not a loopback address, and neither "
            + "receiver.bearer_token nor receiver.tls_client_ca is set: anyone who reaches the port could write "
            + "metrics. Set one of them, bind 127.0.0.1, or set receiver.allow_unauthenticated: true to accept that "
            + "on purpose";

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("otel_sec").withEngine(b -> b.setWriteTimeoutMs(3_000));

    @TempDir
    static Path certDir;

    private static TestCertificates certs;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private OtlpReceiver receiver;

    @BeforeAll
    static void certificates() throws Exception {
        certs = TestCertificates.create(certDir);
    }

    @BeforeEach
    void captureLogs() {
        logs.start();
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        if (receiver != null) {
            receiver.close();
        }
    }

    private OtlpReceiver.Builder builder() {
        return OtlpReceiver.builder().setEngine(db.engine()).setGrpcPort(0).setHttpPort(0);
    }

    private boolean logged(String level, String text) {
        return logs.list.stream()
                .anyMatch(e -> e.getLevel().toString().equals(level)
                        && e.getFormattedMessage().contains(text));
    }

    @Test
    void byDefaultTheReceiverListensOnLoopbackOnly() throws Exception {
        receiver = builder().start();
        assertThat(receiver.toString()).contains("grpc=127.0.0.1:", "http=127.0.0.1:");
        assertThat(Requests.post(receiver.httpPort(), request(gauge("ok.gauge", 1)))
                        .statusCode())
                .isEqualTo(200);
        Optional<InetAddress> external = nonLoopbackAddress();
        if (external.isPresent()) {
            assertThatThrownBy(() -> new Socket(external.get(), receiver.httpPort()).close())
                    .isInstanceOf(ConnectException.class);
            assertThatThrownBy(() -> new Socket(external.get(), receiver.grpcPort()).close())
                    .isInstanceOf(ConnectException.class);
        }
    }

    @Test
    void aNonLoopbackHostWithoutTokenOrClientCertificatesRefusesToStart() {
        assertThatThrownBy(() -> builder().setHost("0.0.0.0").start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(REFUSED);
        // The same rule from the standalone receiver's configuration file.
        assertThatThrownBy(() -> OtlpReceiverMain.Settings.parse("receiver:\n  host: 0.0.0.0\n", Map.of())
                        .receiver
                        .setEngine(db.engine())
                        .start())
                .hasMessage(REFUSED);
    }

    @Test
    void allowUnauthenticatedAcceptsAnOpenPortOnPurposeWithAWarning() {
        receiver = builder().setHost("0.0.0.0").setAllowUnauthenticated(true).start();
        assertThat(receiver.httpPort()).isPositive();
        assertThat(logged("WARN", "accepts unauthenticated clients (receiver.allow_unauthenticated: true)"))
                .isTrue();
    }

    @Test
    void aBearerTokenWithoutTlsStartsWithAWarningAndIsRequired() throws Exception {
        receiver = builder().setHost("0.0.0.0").setBearerToken("s3cret").start();
        assertThat(logged("WARN", "the bearer token travels in clear text without TLS"))
                .isTrue();
        byte[] body = request(gauge("ok.gauge", 1)).toByteArray();
        assertThat(Requests.post(receiver.httpPort(), "application/x-protobuf", body)
                        .statusCode())
                .isEqualTo(401);
        assertThat(Requests.post(receiver.httpPort(), "application/x-protobuf", body, "Authorization", "Bearer s3cret")
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void aClientCaWithoutTlsIsRefused() {
        assertThatThrownBy(() -> builder().setTlsClientCa(certs.caCert()).start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("receiver.tls_client_ca " + certs.caCert()
                        + " must be a readable file, and needs receiver.tls_cert and receiver.tls_key");
    }

    @Test
    void clientCertificatesSignedByTheCaAreRequiredOnBothTransports() throws Exception {
        // Mutual TLS is enough to bind every interface without a token.
        receiver = builder()
                .setHost("0.0.0.0")
                .setTls(certs.cert("server"), certs.key("server"))
                .setTlsClientCa(certs.caCert())
                .start();
        assertThat(receiver.toString()).contains("tls=mutual");
        ExportMetricsServiceRequest request = request(gauge("ok.gauge", 1, Requests.kv("via", "grpc")));

        assertThat(httpsPost(certs.clientContext("client")).statusCode()).isEqualTo(200);
        assertThatThrownBy(() -> httpsPost(certs.clientContext(null))).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> httpsPost(certs.clientContext("rogue"))).isInstanceOf(IOException.class);

        ManagedChannel good = grpcChannel(TlsChannelCredentials.newBuilder()
                .keyManager(certs.cert("client").toFile(), certs.key("client").toFile())
                .trustManager(certs.caCert().toFile())
                .build());
        ManagedChannel anonymous = grpcChannel(TlsChannelCredentials.newBuilder()
                .trustManager(certs.caCert().toFile())
                .build());
        try {
            assertThat(Requests.grpcExport(good, request.toByteArray())).isNotNull();
            assertThatThrownBy(() -> Requests.grpcExport(anonymous, request.toByteArray()))
                    .isInstanceOfSatisfying(
                            StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        } finally {
            good.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            anonymous.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        assertThat(db.queryLong("SELECT count(*) FROM " + db.table("samples"))).isEqualTo(2);
    }

    @Test
    void whatTheDatabaseSaysIsLoggedNeverSentToTheClient() throws Exception {
        db.execute("CREATE FUNCTION " + db.schema() + ".refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                + "RAISE EXCEPTION 'h3-secret: internal table detail'; END $$");
        db.execute("CREATE TRIGGER refuse BEFORE INSERT ON " + db.table("samples") + " FOR EACH ROW EXECUTE FUNCTION "
                + db.schema() + ".refuse()");
        receiver = builder().start();
        HttpResponse<byte[]> http = Requests.post(receiver.httpPort(), request(gauge("ok.gauge", 1)));
        assertThat(http.statusCode()).isEqualTo(503);
        // The writer retries what is not the data's fault (ErrorPolicy), so the client hears a short reason to retry.
        assertThat(Requests.status(http).getMessage()).endsWith("retry later").doesNotContain("h3-secret");
        assertThat(new String(http.body(), StandardCharsets.UTF_8)).doesNotContain("h3-secret");
        ManagedChannel channel = Requests.channel(receiver.grpcPort());
        try {
            assertThatThrownBy(() -> Requests.grpcExport(
                            channel,
                            request(gauge("ok.gauge", 2, Requests.kv("via", "grpc")))
                                    .toByteArray()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        // UNAVAILABLE with the short reason, or the client's own deadline while the writer retries
                        assertThat(e.getStatus().getCode())
                                .isIn(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED);
                        assertThat(String.valueOf(e.getStatus().getDescription()))
                                .doesNotContain("h3-secret");
                    });
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        assertThat(logs.list.stream()
                        .anyMatch(e -> e.getThrowableProxy() != null
                                        && e.getThrowableProxy().getMessage().contains("h3-secret")
                                || e.getFormattedMessage().contains("h3-secret")))
                .as("the database's text is logged")
                .isTrue();
    }

    private HttpResponse<byte[]> httpsPost(SSLContext context) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder()
                .sslContext(context)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        return client.send(
                HttpRequest.newBuilder(URI.create("https://localhost:" + receiver.httpPort() + "/v1/metrics"))
                        .header("Content-Type", "application/x-protobuf")
                        .timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(
                                request(gauge("ok.gauge", 1, Requests.kv("via", "http")))
                                        .toByteArray()))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private ManagedChannel grpcChannel(io.grpc.ChannelCredentials credentials) {
        return NettyChannelBuilder.forAddress("localhost", receiver.grpcPort(), credentials)
                .build();
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws IOException {
        for (NetworkInterface nic : java.util.Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress a : java.util.Collections.list(nic.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
                    return Optional.of(a);
                }
            }
        }
        return Optional.empty();
    }
}
