package io.agstorage.otel.internal;

import io.agstorage.core.StorageConfig;
import io.agstorage.otel.TimescaleMetricExporter;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.autoconfigure.spi.metrics.ConfigurableMetricExporterProvider;
import io.opentelemetry.sdk.metrics.export.AggregationTemporalitySelector;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import java.nio.file.Path;
import java.util.Locale;

/**
 * SDK autoconfigure provider: {@code otel.metrics.exporter=timescale}. Properties:
 * <ul>
 *   <li>{@code otel.exporter.timescale.config}: a YAML file in the ag-storage configuration format (optional);
 *       {@code AG_STORAGE_*} environment variables override it, as everywhere in ag-storage;</li>
 *   <li>{@code otel.exporter.timescale.temporality.preference}: {@code delta} (default), {@code cumulative} or
 *       {@code lowmemory}.</li>
 * </ul>
 * Reading the YAML file needs {@code com.fasterxml.jackson.dataformat:jackson-dataformat-yaml} on the class path
 * (this artifact does not bring it, so an application without a file does not carry a YAML parser).
 * The exporter owns the engine it creates and closes it when the SDK shuts down.
 */
public final class TimescaleMetricExporterProvider implements ConfigurableMetricExporterProvider {

    static final String CONFIG = "otel.exporter.timescale.config";
    static final String TEMPORALITY = "otel.exporter.timescale.temporality.preference";

    @Override
    public MetricExporter createExporter(ConfigProperties properties) {
        String file = properties.getString(CONFIG);
        StorageConfig.Builder config = file == null ? StorageConfig.builder() : fromYamlFile(file).toBuilder();
        config.environment(System.getenv());
        return TimescaleMetricExporter.builder()
                .setConfig(config.build())
                .setAggregationTemporalitySelector(temporality(properties.getString(TEMPORALITY, "delta")))
                .build();
    }

    private static StorageConfig fromYamlFile(String file) {
        try {
            Class.forName(
                    "com.fasterxml.jackson.dataformat.yaml.YAMLFactory",
                    false,
                    TimescaleMetricExporterProvider.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(
                    CONFIG + " needs com.fasterxml.jackson.dataformat:jackson-dataformat-yaml on the class path", e);
        }
        return StorageConfig.fromYamlFile(Path.of(file));
    }

    static AggregationTemporalitySelector temporality(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "delta" -> AggregationTemporalitySelector.deltaPreferred();
            case "cumulative" -> AggregationTemporalitySelector.alwaysCumulative();
            case "lowmemory" -> AggregationTemporalitySelector.lowMemory();
            default ->
                throw new IllegalArgumentException(
                        TEMPORALITY + " must be one of delta, cumulative, lowmemory, was '" + value + "'");
        };
    }

    @Override
    public String getName() {
        return "timescale";
    }
}
