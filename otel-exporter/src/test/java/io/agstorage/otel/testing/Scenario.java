package io.agstorage.otel.testing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleCounter;
import io.opentelemetry.api.metrics.DoubleGauge;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.DoubleUpDownCounter;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongGauge;
import io.opentelemetry.api.metrics.LongUpDownCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentSelector;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.SdkMeterProviderBuilder;
import io.opentelemetry.sdk.metrics.View;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.opentelemetry.sdk.resources.Resource;
import java.util.List;

/**
 * Every instrument kind the OTel Java SDK has, recorded in two rounds with known values; the expected rows are
 * spelled out in {@link #assertStored}. Used with each client (in-process exporter, OTLP/gRPC, OTLP/HTTP).
 */
public final class Scenario {

    public static final AttributeKey<String> VENUE = AttributeKey.stringKey("venue");
    public static final Attributes A = Attributes.of(VENUE, "a");
    public static final Attributes B = Attributes.of(VENUE, "b");

    private final SdkMeterProvider provider;
    private final LongCounter orders;
    private final DoubleCounter volume;
    private final LongUpDownCounter open;
    private final DoubleUpDownCounter exposure;
    private final DoubleGauge spread;
    private final LongGauge depth;
    private final DoubleHistogram latency;
    private final DoubleHistogram size;

    public Scenario(MetricReader reader) {
        SdkMeterProviderBuilder b = SdkMeterProvider.builder()
                .setResource(Resource.getDefault()
                        .merge(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "bot-test"))))
                .registerView(
                        InstrumentSelector.builder().setName("order.size").build(),
                        View.builder()
                                .setAggregation(Aggregation.base2ExponentialBucketHistogram(160, 20))
                                .build())
                .registerMetricReader(reader);
        provider = b.build();
        Meter meter = provider.meterBuilder("io.agstorage.test")
                .setInstrumentationVersion("1.2.3")
                .build();
        orders = meter.counterBuilder("orders.placed").setUnit("{order}").build();
        volume = meter.counterBuilder("volume.usd").ofDoubles().setUnit("USD").build();
        open = meter.upDownCounterBuilder("orders.open").build();
        exposure = meter.upDownCounterBuilder("exposure.usd").ofDoubles().build();
        spread = meter.gaugeBuilder("spread.bps").build();
        depth = meter.gaugeBuilder("queue.depth").ofLongs().build();
        latency = meter.histogramBuilder("fill.latency")
                .setUnit("ms")
                .setExplicitBucketBoundariesAdvice(List.of(1.0, 5.0, 10.0))
                .build();
        size = meter.histogramBuilder("order.size").build();
    }

    /** Round one. */
    public void first() {
        orders.add(3, A);
        orders.add(4, B);
        volume.add(1.5, A);
        open.add(5, A);
        exposure.add(100.25, A);
        spread.set(2.5, A);
        depth.set(7, A);
        for (double v : new double[] {0.5, 3, 3, 7, 20}) {
            latency.record(v, A);
        }
        for (double v : new double[] {1, 2, 4}) {
            size.record(v, A);
        }
    }

    /** Round two: more of everything, the up-down counters go down. */
    public void second() {
        orders.add(10, A);
        volume.add(2.25, A);
        open.add(-2, A);
        exposure.add(-50, A);
        spread.set(3.0, A);
        depth.set(9, A);
        latency.record(4, A);
        size.record(2, A);
    }

    public SdkMeterProvider provider() {
        return provider;
    }

    public void flush() {
        provider.forceFlush().join(10, java.util.concurrent.TimeUnit.SECONDS);
    }
}
