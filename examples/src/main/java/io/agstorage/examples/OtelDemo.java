package io.agstorage.examples;

import io.agstorage.core.Aggregation;
import io.agstorage.core.Bucket;
import io.agstorage.core.StorageEngine;
import io.agstorage.otel.TimescaleMetricExporter;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** The demo bot's OpenTelemetry part: the OTel SDK exports through TimescaleMetricExporter on the demo's engine. */
final class OtelDemo {

    private OtelDemo() {}

    static void run(StorageEngine engine) {
        Instant start = Instant.now();
        TimescaleMetricExporter exporter =
                TimescaleMetricExporter.builder().setEngine(engine).build();
        SdkMeterProvider meterProvider = SdkMeterProvider.builder()
                .setResource(Resource.getDefault()
                        .merge(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "demo-bot"))))
                .registerMetricReader(PeriodicMetricReader.builder(exporter)
                        .setInterval(Duration.ofSeconds(5))
                        .build())
                .build();
        Meter meter = meterProvider.get("io.agstorage.demo");
        LongCounter quotes =
                meter.counterBuilder("demo.quotes").setUnit("{quote}").build();
        DoubleHistogram fillLatency =
                meter.histogramBuilder("demo.otel.fill.latency").setUnit("ms").build();
        Attributes polymarket = Attributes.of(AttributeKey.stringKey("venue"), "polymarket");
        for (int i = 0; i < 1_000; i++) {
            quotes.add(1, polymarket);
            fillLatency.record(1 + ThreadLocalRandom.current().nextDouble(20), polymarket);
        }
        meterProvider.close(); // the last export, committed; the engine stays open
        double stored = engine
                .queryAggregated(
                        "demo.quotes",
                        start.minusSeconds(5),
                        Instant.now().plusSeconds(5),
                        Duration.ofHours(1),
                        Aggregation.SUM,
                        Map.of("resource.service.name", "demo-bot"))
                .buckets()
                .stream()
                .mapToDouble(Bucket::value)
                .sum();
        System.out.printf(
                "otel: 1000 quotes counted, %.0f stored (demo.quotes{resource.service.name=demo-bot}); "
                        + "fill latency histogram in the histograms table%n",
                stored);
    }
}
