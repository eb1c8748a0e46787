package io.agstorage.otlp;

import com.google.protobuf.MessageLite;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.metrics.v1.Summary;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Hand-built OTLP requests and raw clients, for what the SDK exporters never send. */
final class Requests {

    static final long NOW_NANOS = nanos(Instant.now());
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Requests() {}

    static long nanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    static KeyValue kv(String key, String value) {
        return KeyValue.newBuilder()
                .setKey(key)
                .setValue(AnyValue.newBuilder().setStringValue(value))
                .build();
    }

    static ExportMetricsServiceRequest request(Metric... metrics) {
        return ExportMetricsServiceRequest.newBuilder()
                .addResourceMetrics(ResourceMetrics.newBuilder()
                        .setResource(Resource.newBuilder().addAttributes(kv("service.name", "bad-input")))
                        .addScopeMetrics(ScopeMetrics.newBuilder()
                                .setScope(InstrumentationScope.newBuilder().setName("hand-built"))
                                .addAllMetrics(List.of(metrics))))
                .build();
    }

    static Metric gauge(String name, double value, KeyValue... attributes) {
        return Metric.newBuilder()
                .setName(name)
                .setGauge(Gauge.newBuilder()
                        .addDataPoints(NumberDataPoint.newBuilder()
                                .setTimeUnixNano(NOW_NANOS)
                                .setAsDouble(value)
                                .addAllAttributes(List.of(attributes))))
                .build();
    }

    static Metric sum(
            String name, boolean cumulative, long startNanos, long timeNanos, double value, KeyValue... attributes) {
        return Metric.newBuilder()
                .setName(name)
                .setSum(Sum.newBuilder()
                        .setIsMonotonic(true)
                        .setAggregationTemporality(
                                cumulative
                                        ? AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE
                                        : AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA)
                        .addDataPoints(NumberDataPoint.newBuilder()
                                .setStartTimeUnixNano(startNanos)
                                .setTimeUnixNano(timeNanos)
                                .setAsDouble(value)
                                .addAllAttributes(List.of(attributes))))
                .build();
    }

    static Metric histogram(String name, List<Double> bounds, List<Long> counts, long count, double sum) {
        return Metric.newBuilder()
                .setName(name)
                .setHistogram(Histogram.newBuilder()
                        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA)
                        .addDataPoints(HistogramDataPoint.newBuilder()
                                .setStartTimeUnixNano(NOW_NANOS - 1_000_000_000L)
                                .setTimeUnixNano(NOW_NANOS)
                                .addAllExplicitBounds(bounds)
                                .addAllBucketCounts(counts)
                                .setCount(count)
                                .setSum(sum)))
                .build();
    }

    static Metric summary(
            String name, long startNanos, long timeNanos, long count, double sum, double[] quantiles, double[] values) {
        SummaryDataPoint.Builder p = SummaryDataPoint.newBuilder()
                .setStartTimeUnixNano(startNanos)
                .setTimeUnixNano(timeNanos)
                .setCount(count)
                .setSum(sum);
        for (int i = 0; i < quantiles.length; i++) {
            p.addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder()
                    .setQuantile(quantiles[i])
                    .setValue(values[i]));
        }
        return Metric.newBuilder()
                .setName(name)
                .setSummary(Summary.newBuilder().addDataPoints(p))
                .build();
    }

    static HttpResponse<byte[]> post(int port, String contentType, byte[] body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/metrics"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static HttpResponse<byte[]> post(int port, ExportMetricsServiceRequest request) {
        return post(port, "application/x-protobuf", request.toByteArray());
    }

    static ExportMetricsServiceResponse response(HttpResponse<byte[]> response) throws IOException {
        return ExportMetricsServiceResponse.parseFrom(response.body());
    }

    static com.google.rpc.Status status(HttpResponse<byte[]> response) throws IOException {
        return com.google.rpc.Status.parseFrom(response.body());
    }

    static ManagedChannel channel(int port) {
        return NettyChannelBuilder.forAddress("127.0.0.1", port)
                .usePlaintext()
                .maxInboundMessageSize(64 * 1024 * 1024)
                .build();
    }

    /** Sends raw bytes as a MetricsService/Export request (a stub would refuse to send what is not a request). */
    static ExportMetricsServiceResponse grpcExport(ManagedChannel channel, byte[] body) {
        MethodDescriptor<byte[], ExportMetricsServiceResponse> method = MetricsServiceGrpc.getExportMethod().toBuilder(
                        new MethodDescriptor.Marshaller<byte[]>() {
                            @Override
                            public InputStream stream(byte[] value) {
                                return new ByteArrayInputStream(value);
                            }

                            @Override
                            public byte[] parse(InputStream stream) {
                                throw new UnsupportedOperationException();
                            }
                        },
                        ProtoUtils.marshaller(ExportMetricsServiceResponse.getDefaultInstance()))
                .build();
        return ClientCalls.blockingUnaryCall(
                channel,
                method,
                CallOptions.DEFAULT.withDeadlineAfter(30, java.util.concurrent.TimeUnit.SECONDS),
                body);
    }

    static byte[] bytes(MessageLite m) {
        return m.toByteArray();
    }
}
