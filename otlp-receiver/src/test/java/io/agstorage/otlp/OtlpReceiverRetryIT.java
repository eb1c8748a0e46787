package io.agstorage.otlp;

import static io.agstorage.otlp.Requests.gauge;
import static io.agstorage.otlp.Requests.kv;
import static io.agstorage.otlp.Requests.post;
import static io.agstorage.otlp.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agstorage.core.StorageEngine;
import io.agstorage.core.testing.TestDatabase;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A request is stored once, whatever its client does after a failure or a timeout: a 503 after part of a large
 * request was queued, or a client that gave up waiting while the commit was slow and sent the request again. The
 * commit is made slow for real: the test holds a lock on the samples table until it lets the writer through.
 */
class OtlpReceiverRetryIT {

    private static final int POINTS = 40;

    private final TestDatabase db = TestDatabase.apache();
    private final String schema = TestDatabase.uniqueSchema("otel_retry");
    private StorageEngine engine;
    private OtlpReceiver receiver;
    private Connection lock;

    private void start(int ringSize, long writeTimeoutMs) throws Exception {
        engine = StorageEngine.create(db.config(schema)
                .setMaxBufferSize(ringSize)
                .setBatchSize(Math.min(1_000, ringSize))
                .setWriteTimeoutMs(writeTimeoutMs)
                .build());
        receiver = OtlpReceiver.builder()
                .setEngine(engine)
                .setHost("127.0.0.1")
                .setGrpcPort(0)
                .setHttpPort(0)
                .start();
    }

    /** Every commit of samples waits from now until {@link #letThrough()}. */
    private void stallCommits() throws Exception {
        lock = db.connect();
        lock.setAutoCommit(false);
        try (Statement s = lock.createStatement()) {
            s.execute("LOCK TABLE " + schema + ".samples IN EXCLUSIVE MODE");
        }
    }

    private void letThrough() throws Exception {
        lock.commit();
        lock.close();
        lock = null;
    }

    @AfterEach
    void stop() throws Exception {
        if (lock != null) {
            letThrough();
        }
        if (receiver != null) {
            receiver.close();
        }
        if (engine != null) {
            engine.close();
        }
        db.dropSchema(schema);
    }

    private long rows(String metric) {
        return db.queryLong("SELECT count(*) FROM " + schema + ".samples s JOIN " + schema
                + ".series r ON r.id = s.series_id WHERE r.metric = '" + metric + "'");
    }

    private static Metric[] gauges(String name, int n) {
        Metric[] metrics = new Metric[n];
        for (int i = 0; i < n; i++) {
            metrics[i] = gauge(name, i, kv("i", Integer.toString(i)));
        }
        return metrics;
    }

    @Test
    void aRequestLargerThanHalfTheRingIsStoredOnceWhenTheClientRetriesAfter503() throws Exception {
        start(64, 1_000);
        stallCommits();
        // 30 points fill the ring while the writer waits on the lock with them: 33 of its 64 slots stay free.
        assertThat(post(receiver.httpPort(), request(gauges("filler", 30))).statusCode())
                .as("not committed within the write timeout")
                .isEqualTo(503);
        // 40 points (more than half the ring) do not fit the 33 free slots: 503, and none of them may stay queued.
        var large = request(gauges("large", POINTS));
        assertThat(post(receiver.httpPort(), large).statusCode()).isEqualTo(503);
        letThrough();
        await().atMost(Duration.ofSeconds(10)).until(() -> rows("filler") == 30);
        // The client's retry, as its exporter does after a 503.
        assertThat(post(receiver.httpPort(), large).statusCode()).isEqualTo(200);
        engine.flushBuffer();
        assertThat(rows("large")).as("each point of the large request once").isEqualTo(POINTS);
    }

    @Test
    void aClientThatTimesOutAndRetriesIsStoredOnceOverHttp() throws Exception {
        start(8_192, 20_000);
        aClientThatTimesOutAndRetriesIsStoredOnce(OtlpHttpMetricExporter.builder()
                .setEndpoint("http://127.0.0.1:" + receiver.httpPort() + "/v1/metrics")
                .setTimeout(Duration.ofMillis(700))
                .setRetryPolicy(null)
                .build());
    }

    @Test
    void aClientThatTimesOutAndRetriesIsStoredOnceOverGrpc() throws Exception {
        start(8_192, 20_000);
        aClientThatTimesOutAndRetriesIsStoredOnce(OtlpGrpcMetricExporter.builder()
                .setEndpoint("http://127.0.0.1:" + receiver.grpcPort())
                .setTimeout(Duration.ofMillis(700))
                .setRetryPolicy(null)
                .build());
    }

    /** One export answered, so that the timed exports below spend their 0.7 s on the commit, not on connecting. */
    private static void warmUp(MetricExporter exporter) {
        InMemoryMetricReader reader = InMemoryMetricReader.create();
        try (SdkMeterProvider provider =
                SdkMeterProvider.builder().registerMetricReader(reader).build()) {
            provider.get("warm-up").gaugeBuilder("warm.up").build().set(1);
            Collection<MetricData> metrics = reader.collectAllMetrics();
            await().atMost(Duration.ofSeconds(30))
                    .until(() ->
                            exporter.export(metrics).join(10, TimeUnit.SECONDS).isSuccess());
        }
    }

    /**
     * The client's timeout (0.7 s) is shorter than the receiver's write timeout (20 s): the first copy is still
     * waiting for its commit when the client sends the request again, twice; then the commit goes through.
     */
    private void aClientThatTimesOutAndRetriesIsStoredOnce(MetricExporter exporter) throws Exception {
        warmUp(exporter);
        InMemoryMetricReader reader = InMemoryMetricReader.createDelta();
        try (SdkMeterProvider provider =
                SdkMeterProvider.builder().registerMetricReader(reader).build()) {
            var meter = provider.get("retry-test");
            var gauge = meter.gaugeBuilder("queue.depth").build();
            var counter = meter.counterBuilder("orders.placed").build();
            for (int i = 0; i < 10; i++) {
                gauge.set(i, Attributes.builder().put("venue", "v" + i).build());
                counter.add(i + 1, Attributes.builder().put("venue", "v" + i).build());
            }
            Collection<MetricData> metrics = reader.collectAllMetrics();
            stallCommits();
            CompletableResultCode first = exporter.export(metrics).join(10, TimeUnit.SECONDS);
            assertThat(first.isSuccess()).as("the client gave up waiting").isFalse();
            CompletableResultCode retry = exporter.export(metrics).join(10, TimeUnit.SECONDS);
            assertThat(retry.isSuccess())
                    .as("the retry too, the commit still waiting")
                    .isFalse();
            letThrough();
            await().atMost(Duration.ofSeconds(10)).until(() -> rows("queue.depth") >= 10);
            CompletableResultCode last = exporter.export(metrics).join(10, TimeUnit.SECONDS);
            assertThat(last.isSuccess()).as("the last retry is answered").isTrue();
            engine.flushBuffer();
            assertThat(rows("queue.depth")).as("each gauge point once").isEqualTo(10);
            assertThat(rows("orders.placed")).as("each delta point once").isEqualTo(10);
            assertThat(db.queryDouble("SELECT sum(s.value) FROM " + schema + ".samples s JOIN " + schema
                            + ".series r ON r.id = s.series_id WHERE r.metric = 'orders.placed'"))
                    .isEqualTo(55.0);
        } finally {
            exporter.shutdown().join(5, TimeUnit.SECONDS);
        }
    }
}
