package io.agstorage.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.agstorage.core.testing.DatabaseExtension;
import io.agstorage.core.testing.TcpProxy;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The OTLP/gRPC path bounds its wait for the commit as the OTLP/HTTP path does ({@code ingestion.write_timeout_ms}):
 * a call whose commit is not confirmed in time is answered UNAVAILABLE (retry), not left open until the client's own
 * deadline, and the client's retry stores the points once.
 */
class GrpcCommitTimeoutIT {

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("otlp_grpc_timeout").withEngine();

    private TcpProxy proxy;
    private OtlpReceiver receiver;
    private ManagedChannel channel;

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.restore();
        }
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (receiver != null) {
            receiver.close();
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void aGrpcExportWhoseCommitIsNotConfirmedWithinTheWriteTimeoutIsAnsweredUnavailable() throws Exception {
        db.engine().close();
        proxy = TcpProxy.forJdbcUrl(db.url());
        db.replaceEngine(b -> b.setUrl(proxy.proxiedUrl(db.url())).setWriteTimeoutMs(2_000));
        receiver = OtlpReceiver.builder()
                .setEngine(db.engine())
                .setGrpcPort(0)
                .setHttpPort(-1)
                .start();
        channel = Requests.channel(receiver.grpcPort());
        byte[] body = Requests.request(Requests.gauge("grpc.timeout", 7.5)).toByteArray();
        proxy.cut();
        long start = System.nanoTime();
        assertThatThrownBy(() -> Requests.grpcExport(channel, body))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(e.getStatus().getDescription())
                            .isEqualTo("commit not confirmed within 2000 ms, retry later");
                });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        proxy.restore();
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(
                        () -> assertThat(Requests.grpcExport(channel, body).hasPartialSuccess())
                                .isFalse());
        assertThat(db.queryLong("SELECT count(*) FROM " + db.table("metrics") + " WHERE metric_name = 'grpc.timeout'"))
                .isEqualTo(1);
    }
}
