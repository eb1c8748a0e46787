package io.agstorage.otlp.testing;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A client creating distinct series without end, as one that puts a user id in a label: OTLP/HTTP protobuf requests of
 * gauge points, each point with an attribute value never sent before, spread over a few metric names. Counts what the
 * receiver answered: statuses and the points refused in the partial success (series past the limits).
 */
public final class SeriesFlood {

    private final URI endpoint;
    private final int series;
    private final int pointsPerRequest;
    private final int metrics;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<Integer, Integer> statuses = new TreeMap<>();
    private volatile long sent;
    private volatile long refused;
    private volatile long failed;

    /**
     * @param series distinct series to send, one point each
     * @param pointsPerRequest points per request
     * @param metrics how many metric names the series are spread over
     */
    public SeriesFlood(int httpPort, int series, int pointsPerRequest, int metrics) {
        this.endpoint = URI.create("http://127.0.0.1:" + httpPort + "/v1/metrics");
        this.series = series;
        this.pointsPerRequest = pointsPerRequest;
        this.metrics = metrics;
    }

    /** Sends every series, one request after another; returns once all are answered. */
    public void run() throws InterruptedException {
        long timeNanos = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis());
        for (int from = 0; from < series; from += pointsPerRequest) {
            int to = Math.min(series, from + pointsPerRequest);
            byte[] body = request(from, to, timeNanos).toByteArray();
            try {
                HttpResponse<byte[]> answer = http.send(
                        HttpRequest.newBuilder(endpoint)
                                .header("Content-Type", "application/x-protobuf")
                                .timeout(Duration.ofSeconds(60))
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                synchronized (statuses) {
                    statuses.merge(answer.statusCode(), 1, Integer::sum);
                }
                if (answer.statusCode() == 200) {
                    refused += ExportMetricsServiceResponse.parseFrom(answer.body())
                            .getPartialSuccess()
                            .getRejectedDataPoints();
                }
            } catch (IOException e) {
                failed++;
            }
            sent += to - from;
        }
    }

    private ExportMetricsServiceRequest request(int from, int to, long timeNanos) {
        Metric.Builder[] byName = new Metric.Builder[metrics];
        for (int i = from; i < to; i++) {
            int m = i % metrics;
            if (byName[m] == null) {
                byName[m] = Metric.newBuilder().setName("attack.metric." + m).setGauge(Gauge.newBuilder());
            }
            byName[m]
                    .getGaugeBuilder()
                    .addDataPoints(NumberDataPoint.newBuilder()
                            .setTimeUnixNano(timeNanos)
                            .setAsDouble(1.0)
                            .addAttributes(KeyValue.newBuilder()
                                    .setKey("user_id")
                                    .setValue(AnyValue.newBuilder().setStringValue("u" + i))));
        }
        ScopeMetrics.Builder scope = ScopeMetrics.newBuilder();
        for (Metric.Builder m : byName) {
            if (m != null) {
                scope.addMetrics(m);
            }
        }
        return ExportMetricsServiceRequest.newBuilder()
                .addResourceMetrics(ResourceMetrics.newBuilder()
                        .setResource(Resource.newBuilder()
                                .addAttributes(KeyValue.newBuilder()
                                        .setKey("service.name")
                                        .setValue(AnyValue.newBuilder().setStringValue("attacker"))))
                        .addScopeMetrics(scope))
                .build();
    }

    /** Points sent so far. */
    public long sent() {
        return sent;
    }

    /** Points the receiver refused in its partial-success answers. */
    public long refused() {
        return refused;
    }

    /** Requests that got no answer (I/O error or timeout). */
    public long failed() {
        return failed;
    }

    /** Answers by HTTP status. */
    public Map<Integer, Integer> statuses() {
        synchronized (statuses) {
            return new TreeMap<>(statuses);
        }
    }
}
