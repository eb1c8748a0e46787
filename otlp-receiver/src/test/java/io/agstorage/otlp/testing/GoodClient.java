package io.agstorage.otlp.testing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A well-behaved OTel Java SDK client: one counter with {@code series} label values, exported over OTLP/HTTP on
 * demand ({@link #export}), as an application's periodic reader would.
 */
public final class GoodClient implements AutoCloseable {

    private final SdkMeterProvider provider;
    private final LongCounter counter;
    private final int series;

    public GoodClient(int httpPort, int series, Duration timeout) {
        this.series = series;
        this.provider = SdkMeterProvider.builder()
                .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "good-client")))
                .registerMetricReader(PeriodicMetricReader.builder(OtlpHttpMetricExporter.builder()
                                .setEndpoint("http://127.0.0.1:" + httpPort + "/v1/metrics")
                                .setTimeout(timeout)
                                .build())
                        .setInterval(Duration.ofDays(1))
                        .build())
                .build();
        this.counter =
                provider.get("good-client").counterBuilder("good.requests").build();
    }

    /** Records one increment on every series and exports them; true when the receiver answered 200. */
    public boolean export() {
        for (int i = 0; i < series; i++) {
            counter.add(1, Attributes.of(AttributeKey.stringKey("id"), "s" + i));
        }
        CompletableResultCode result = provider.forceFlush().join(60, TimeUnit.SECONDS);
        return result.isSuccess();
    }

    @Override
    public void close() {
        provider.shutdown().join(10, TimeUnit.SECONDS);
    }
}
