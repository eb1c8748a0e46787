package io.agstorage.chaos;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentSelector;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.View;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The OTel SDK against the standalone receiver (a child JVM with its spool, {@link ReceiverProcess}): a cumulative
 * counter over five series, each increased by one a round, then exported over OTLP/HTTP. An export is acknowledged
 * when its {@link CompletableResultCode} succeeded; the receiver stores cumulative points as deltas, so the stored
 * deltas of a series must sum to the cumulative value of its last acknowledged export. After the faults the client
 * exports until one export succeeds: from then on the sum must be exactly the number of rounds. Items are the
 * increments: lost = acknowledged increments missing from the sum, duplicated = the sum beyond the increments sent.
 */
final class OtelDoor implements Door {

    static final String METRIC = "chaos.otel";
    private static final int SERIES = 5;
    private static final AttributeKey<String> SERIES_KEY = AttributeKey.stringKey("series");

    private final ReceiverProcess receiver;
    private final Loop loop;
    private final Attributes[] series = new Attributes[SERIES];
    private SdkMeterProvider provider;
    private LongCounter counter;
    private volatile boolean closed;
    private long rounds;
    private long ackedRounds;
    private long ackedExports;

    OtelDoor(ReceiverProcess receiver) {
        this.receiver = receiver;
        for (int i = 0; i < SERIES; i++) {
            series[i] = Attributes.of(SERIES_KEY, "s" + i);
        }
        this.loop = new Loop(name(), 200, this::round);
    }

    @Override
    public String name() {
        return "otel";
    }

    @Override
    public void start() throws Exception {
        receiver.start();
        awaitListening();
        // Created once the receiver serves, so that the series start after it did and their first points count in
        // full (see the receiver's CumulativeState). The SDK's own metrics are dropped: exports hold the counter only.
        MetricExporter otlp = OtlpHttpMetricExporter.builder()
                .setEndpoint("http://127.0.0.1:" + receiver.httpPort() + "/v1/metrics")
                .setTimeout(Duration.ofSeconds(10))
                .setRetryPolicy(null)
                .build();
        provider = SdkMeterProvider.builder()
                .registerView(
                        InstrumentSelector.builder().setName("otel.sdk.*").build(),
                        View.builder().setAggregation(Aggregation.drop()).build())
                .registerMetricReader(PeriodicMetricReader.builder(new ClosableExporter(otlp))
                        .setInterval(Duration.ofHours(1))
                        .build())
                .build();
        counter = provider.get("io.agstorage.chaos").counterBuilder(METRIC).build();
        loop.start();
    }

    private void awaitListening() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", receiver.httpPort()), 1_000);
                return;
            } catch (IOException e) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("the OTLP receiver did not listen within 60 s (see its .err files)");
    }

    private void round() {
        rounds++;
        for (Attributes a : series) {
            counter.add(1, a);
        }
        export();
    }

    private void export() {
        long exported = rounds;
        CompletableResultCode result = provider.forceFlush().join(20, TimeUnit.SECONDS);
        if (!result.isSuccess()) {
            throw new IllegalStateException("export failed");
        }
        ackedRounds = exported;
        ackedExports++;
    }

    @Override
    public void stop() throws InterruptedException {
        loop.stop();
    }

    /** Exports until one succeeds (the last cumulative values acknowledged), then waits for the spool to drain. */
    @Override
    public void settle() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (ackedRounds != rounds && System.nanoTime() < deadline) {
            try {
                export();
            } catch (RuntimeException e) {
                Thread.sleep(500);
            }
        }
    }

    /** Waits (up to 60 s) until every series holds the acknowledged sum or the sums stop moving for 10 s. */
    void awaitDrained(Connection db) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Map<String, Double> last = Map.of();
        long stableSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            Map<String, Double> sums = StoredRows.sumBySeries(db, METRIC);
            if (sums.size() == SERIES && sums.values().stream().allMatch(v -> v == ackedRounds)) {
                return;
            }
            if (!sums.equals(last)) {
                last = sums;
                stableSince = System.nanoTime();
            } else if (System.nanoTime() - stableSince > TimeUnit.SECONDS.toNanos(10)) {
                return;
            }
            Thread.sleep(500);
        }
    }

    @Override
    public DoorResult check(Connection db) throws Exception {
        awaitDrained(db);
        Map<String, Double> sums = StoredRows.sumBySeries(db, METRIC);
        long lost = 0;
        long duplicated = 0;
        for (int i = 0; i < SERIES; i++) {
            long stored = Math.round(sums.getOrDefault("s" + i, 0.0));
            lost += Math.max(0, ackedRounds - stored);
            duplicated += Math.max(0, stored - rounds);
        }
        return new DoorResult(
                name(),
                "counter increments; " + ackedExports + " of " + rounds + " exports acked, receiver kill -9 x"
                        + receiver.kills() + ", starts " + receiver.generations(),
                ackedRounds * SERIES,
                (rounds - ackedRounds) * SERIES,
                lost,
                duplicated,
                loop.errors());
    }

    @Override
    public void close() throws Exception {
        closed = true;
        if (provider != null) {
            provider.shutdown().join(10, TimeUnit.SECONDS);
        }
        receiver.stop(true);
    }

    /** The OTLP exporter, silent once the door is closed (the reader's last export at shutdown sends nothing). */
    private final class ClosableExporter implements MetricExporter {
        private final MetricExporter otlp;

        ClosableExporter(MetricExporter otlp) {
            this.otlp = otlp;
        }

        @Override
        public CompletableResultCode export(Collection<MetricData> metrics) {
            return closed ? CompletableResultCode.ofSuccess() : otlp.export(metrics);
        }

        @Override
        public CompletableResultCode flush() {
            return otlp.flush();
        }

        @Override
        public CompletableResultCode shutdown() {
            return otlp.shutdown();
        }

        @Override
        public AggregationTemporality getAggregationTemporality(InstrumentType type) {
            return otlp.getAggregationTemporality(type);
        }
    }
}
