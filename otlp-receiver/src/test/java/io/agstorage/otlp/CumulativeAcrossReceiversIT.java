package io.agstorage.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.StorageEngine;
import io.agstorage.core.testing.TestDatabase;
import io.agstorage.otel.testing.Stored;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Cumulative data through several receivers on one database, as behind a load balancer, and across a receiver
 * restart: the real OTel SDK's OTLP/HTTP exporter is the client, each receiver has its own engine (its own process in
 * production), and the stored deltas must add up to the counter's last cumulative value.
 */
class CumulativeAcrossReceiversIT {

    private final TestDatabase db = TestDatabase.apache();
    private final String schema = TestDatabase.uniqueSchema("otel_cum");
    private final Stored stored = new Stored(db, schema);
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        db.dropSchema(schema);
    }

    /** A receiver of its own engine, as a separate receiver process on the same database. */
    private OtlpReceiver receiver() {
        StorageEngine engine = StorageEngine.create(db.config(schema).build());
        open.add(engine);
        OtlpReceiver receiver = OtlpReceiver.builder()
                .setEngine(engine)
                .setHost("127.0.0.1")
                .setGrpcPort(0)
                .setHttpPort(0)
                .start();
        open.add(receiver);
        return receiver;
    }

    private static OtlpHttpMetricExporter exporterTo(OtlpReceiver receiver) {
        return OtlpHttpMetricExporter.builder()
                .setEndpoint("http://127.0.0.1:" + receiver.httpPort() + "/v1/metrics")
                .build();
    }

    /**
     * An SDK client whose exports go to the exporter {@code route} picks for each (cumulative temporality, the SDK's
     * OTLP default); {@code copies} sends each export that many times, the later copies as a client's retries.
     */
    private static final class Client implements AutoCloseable {
        final SdkMeterProvider provider;
        final LongCounter counter;
        final DoubleHistogram histogram;

        Client(Supplier<MetricExporter> route, int copies) {
            MetricExporter routing = new MetricExporter() {
                @Override
                public CompletableResultCode export(Collection<MetricData> metrics) {
                    for (int i = 0; i < copies; i++) {
                        CompletableResultCode r = route.get().export(metrics).join(10, TimeUnit.SECONDS);
                        assertThat(r.isSuccess()).as("export answered 200").isTrue();
                    }
                    return CompletableResultCode.ofSuccess();
                }

                @Override
                public CompletableResultCode flush() {
                    return CompletableResultCode.ofSuccess();
                }

                @Override
                public CompletableResultCode shutdown() {
                    return CompletableResultCode.ofSuccess();
                }

                @Override
                public AggregationTemporality getAggregationTemporality(InstrumentType type) {
                    return AggregationTemporality.CUMULATIVE;
                }
            };
            provider = SdkMeterProvider.builder()
                    .registerMetricReader(PeriodicMetricReader.builder(routing)
                            .setInterval(Duration.ofHours(1))
                            .build())
                    .build();
            counter = provider.get("test").counterBuilder("orders").build();
            histogram = provider.get("test").histogramBuilder("latency").build();
        }

        /** One interval: {@code increment} orders and one latency of {@code latency}, then an export. */
        void interval(long increment, double latency) {
            counter.add(increment, Attributes.empty());
            histogram.record(latency, Attributes.empty());
            assertThat(provider.forceFlush().join(10, TimeUnit.SECONDS).isSuccess())
                    .isTrue();
        }

        @Override
        public void close() {
            provider.shutdown().join(10, TimeUnit.SECONDS);
        }
    }

    private double storedOrders() {
        return Double.parseDouble(stored.query("SELECT coalesce(sum(s.value), 0) FROM $S.samples s "
                + "JOIN $S.series r ON r.id = s.series_id WHERE r.metric = 'orders'"));
    }

    private long storedLatencyCount() {
        return Long.parseLong(stored.query("SELECT coalesce(sum(h.count), 0) FROM $S.histograms h "
                + "JOIN $S.series r ON r.id = h.series_id WHERE r.metric = 'latency'"));
    }

    @Test
    void twoReceiversFedAlternatelyStoreExactIncreases() {
        OtlpReceiver a = receiver();
        OtlpReceiver b = receiver();
        OtlpHttpMetricExporter toA = exporterTo(a);
        OtlpHttpMetricExporter toB = exporterTo(b);
        int[] exports = {0};
        try (Client client = new Client(() -> exports[0]++ % 2 == 0 ? toA : toB, 1)) {
            for (int i = 0; i < 4; i++) {
                client.interval(10, 1.5);
            }
        } finally {
            toA.shutdown();
            toB.shutdown();
        }
        // The counter went 10, 20, 30, 40; the histogram counted 4 values.
        assertThat(storedOrders())
                .as("sum of the stored deltas of a counter that reached 40")
                .isEqualTo(40.0);
        assertThat(storedLatencyCount()).as("histogram values counted").isEqualTo(4);
    }

    @Test
    void aReceiverRestartLosesNoIncrement() {
        OtlpReceiver first = receiver();
        OtlpHttpMetricExporter[] exporter = {exporterTo(first)};
        try (Client client = new Client(() -> exporter[0], 1)) {
            client.interval(10, 1.5);
            client.interval(10, 1.5);
            // The receiver goes away (engine and all) and a new one takes over; the client's next export goes to it.
            first.close();
            exporter[0].shutdown();
            exporter[0] = exporterTo(receiver());
            client.interval(10, 1.5);
            client.interval(5, 1.5);
        } finally {
            exporter[0].shutdown();
        }
        assertThat(storedOrders())
                .as("sum of the stored deltas of a counter that reached 35")
                .isEqualTo(35.0);
        assertThat(storedLatencyCount()).as("histogram values counted").isEqualTo(4);
    }

    @Test
    void aRepeatedCumulativePointAddsNothing() {
        // Each export is sent twice, the copy to the other receiver: a client retrying a request whose answer it
        // lost, through a load balancer.
        OtlpReceiver a = receiver();
        OtlpReceiver b = receiver();
        OtlpHttpMetricExporter toA = exporterTo(a);
        OtlpHttpMetricExporter toB = exporterTo(b);
        int[] exports = {0};
        try (Client client = new Client(() -> exports[0]++ % 2 == 0 ? toA : toB, 2)) {
            client.interval(10, 1.5);
            client.interval(7, 1.5);
        } finally {
            toA.shutdown();
            toB.shutdown();
        }
        assertThat(storedOrders())
                .as("sum of the stored deltas of a counter that reached 17")
                .isEqualTo(17.0);
        assertThat(storedLatencyCount()).as("histogram values counted").isEqualTo(2);
    }
}
