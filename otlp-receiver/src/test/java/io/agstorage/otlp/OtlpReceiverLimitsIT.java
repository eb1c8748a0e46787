package io.agstorage.otlp;

import static io.agstorage.otlp.Requests.gauge;
import static io.agstorage.otlp.Requests.kv;
import static io.agstorage.otlp.Requests.post;
import static io.agstorage.otlp.Requests.request;
import static io.agstorage.otlp.Requests.response;
import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.SeriesLimits;
import io.agstorage.core.testing.DatabaseExtension;
import io.agstorage.otel.testing.Stored;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code limits.*} through the receiver: the points of new series past a limit are refused, the rest stored. */
class OtlpReceiverLimitsIT {

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("otel_limits")
            .withEngine(b -> b.setLimits(SeriesLimits.builder()
                    .setMaxSeries(40)
                    .setMaxSeriesPerMetric(5)
                    .build()));

    private OtlpReceiver receiver;
    private Stored stored;

    @BeforeEach
    void start() {
        receiver = OtlpReceiver.builder()
                .setEngine(db.engine())
                .setHost("127.0.0.1")
                .setGrpcPort(0)
                .setHttpPort(0)
                .start();
        stored = new Stored(db);
    }

    @AfterEach
    void stop() {
        receiver.close();
    }

    private long seriesOf(String metric) {
        return Long.parseLong(stored.query("SELECT count(*) FROM $S.series WHERE metric = ?", metric));
    }

    private long samplesOf(String metric) {
        return Long.parseLong(stored.query(
                "SELECT count(*) FROM $S.samples s JOIN $S.series r ON r.id = s.series_id WHERE r.metric = ?", metric));
    }

    @Test
    void pointsOfNewSeriesPastTheLimitAreRefusedInThePartialSuccessAndTheRestIsStored() throws Exception {
        List<Metric> metrics = new ArrayList<>();
        metrics.add(gauge("ok.gauge", 1));
        for (int i = 0; i < 8; i++) {
            metrics.add(gauge("wide", i, kv("user", "u" + i)));
        }
        HttpResponse<byte[]> http = post(receiver.httpPort(), request(metrics.toArray(Metric[]::new)));

        assertThat(http.statusCode()).isEqualTo(200);
        ExportMetricsServiceResponse answer = response(http);
        assertThat(answer.getPartialSuccess().getRejectedDataPoints()).isEqualTo(3);
        assertThat(answer.getPartialSuccess().getErrorMessage())
                .startsWith("3 data points rejected: ")
                .contains("metric 'wide': new series refused, limits.max_series_per_metric=5 reached (5 series of "
                        + "this metric)");
        assertThat(seriesOf("wide")).isEqualTo(5);
        assertThat(samplesOf("wide")).isEqualTo(5);
        assertThat(samplesOf("ok.gauge")).isEqualTo(1);
        assertThat(db.engine().seriesStats().refusedMaxSeriesPerMetric()).isEqualTo(3);
    }

    @Test
    void anOtelSdkClientCreatingSeriesWithoutEndKeepsExportingItsExistingSeries() {
        OtlpHttpMetricExporter exporter = OtlpHttpMetricExporter.builder()
                .setEndpoint("http://127.0.0.1:" + receiver.httpPort() + "/v1/metrics")
                .build();
        SdkMeterProvider provider = SdkMeterProvider.builder()
                .registerMetricReader(PeriodicMetricReader.builder(exporter)
                        .setInterval(Duration.ofHours(1))
                        .build())
                .build();
        try {
            LongCounter requests =
                    provider.get("limits-it").counterBuilder("sdk.requests").build();
            LongCounter fills =
                    provider.get("limits-it").counterBuilder("sdk.fills").build();
            for (int i = 0; i < 20; i++) {
                requests.add(1, Attributes.builder().put("user", "u" + i).build());
            }
            fills.add(3);
            CompletableResultCode first = provider.forceFlush().join(30, TimeUnit.SECONDS);
            assertThat(first.isSuccess())
                    .as("a partial success is a success to the SDK")
                    .isTrue();
            for (int i = 0; i < 20; i++) {
                requests.add(1, Attributes.builder().put("user", "u" + i).build());
            }
            fills.add(4);
            assertThat(provider.forceFlush().join(30, TimeUnit.SECONDS).isSuccess())
                    .isTrue();

            assertThat(seriesOf("sdk.requests")).isEqualTo(5);
            assertThat(samplesOf("sdk.requests")).isEqualTo(10); // the 5 admitted series, twice
            assertThat(seriesOf("sdk.fills")).isEqualTo(1);
            assertThat(samplesOf("sdk.fills")).isEqualTo(2);
            assertThat(db.engine().seriesStats().refusedMaxSeriesPerMetric()).isEqualTo(30);
        } finally {
            provider.shutdown().join(10, TimeUnit.SECONDS);
        }
    }
}
