package io.agstorage.otel;

import io.agstorage.core.StorageConfig;
import io.agstorage.core.StorageEngine;
import io.agstorage.core.logging.ThrottledLog;
import io.agstorage.otel.internal.SdkMetricMapper;
import io.agstorage.otel.mapping.CumulativeState;
import io.agstorage.otel.mapping.ExemplarStore;
import io.agstorage.otel.mapping.PointWriter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.MemoryMode;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.AggregationTemporalitySelector;
import io.opentelemetry.sdk.metrics.export.DefaultAggregationSelector;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import java.time.Duration;
import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenTelemetry SDK {@link MetricExporter} that stores metrics in TimescaleDB through a {@link StorageEngine}.
 *
 * <pre>{@code
 * TimescaleMetricExporter exporter = TimescaleMetricExporter.builder().setEngine(engine).build();
 * SdkMeterProvider meterProvider = SdkMeterProvider.builder()
 *     .registerMetricReader(PeriodicMetricReader.builder(exporter).setInterval(Duration.ofSeconds(10)).build())
 *     .build();
 * }</pre>
 *
 * <p>{@link #export} copies what it keeps before it returns and completes its result once every point is
 * committed; it fails the result (never throws) when the data could not be committed or when points were
 * refused (each refusal is logged with its reason: field, rule and value). How OTel data maps to rows is
 * described in the {@link io.agstorage.otel package documentation}.
 *
 * <p>With SDK autoconfigure: {@code otel.metrics.exporter=timescale} (see {@code TimescaleMetricExporterProvider}).
 */
public final class TimescaleMetricExporter implements MetricExporter {

    private static final Logger log = LoggerFactory.getLogger(TimescaleMetricExporter.class);

    private final StorageEngine engine;
    private final boolean ownsEngine;
    private final AggregationTemporalitySelector temporalitySelector;
    private final DefaultAggregationSelector aggregationSelector;
    private final CumulativeState state;
    private final ExemplarStore exemplars;
    private final AtomicBoolean shutdown = new AtomicBoolean();
    private final ThrottledLog refusalLog = new ThrottledLog(log, Duration.ofMinutes(1));

    private TimescaleMetricExporter(Builder b, StorageEngine engine, boolean ownsEngine) {
        this.engine = engine;
        this.ownsEngine = ownsEngine;
        this.temporalitySelector = b.temporalitySelector;
        this.aggregationSelector = b.aggregationSelector;
        this.state = new CumulativeState(b.maxCumulativeSeries, nowNanos());
        this.exemplars = new ExemplarStore(engine);
    }

    public static Builder builder() {
        return new Builder();
    }

    private static long nowNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
        return temporalitySelector.getAggregationTemporality(instrumentType);
    }

    @Override
    public Aggregation getDefaultAggregation(InstrumentType instrumentType) {
        return aggregationSelector.getDefaultAggregation(instrumentType);
    }

    @Override
    public MemoryMode getMemoryMode() {
        // export() copies everything before returning, so the SDK may reuse its MetricData.
        return MemoryMode.REUSABLE_DATA;
    }

    @Override
    public CompletableResultCode export(Collection<MetricData> metrics) {
        if (shutdown.get()) {
            return CompletableResultCode.ofExceptionalFailure(
                    new IllegalStateException("TimescaleMetricExporter is shut down"));
        }
        CompletableResultCode result = new CompletableResultCode();
        PointWriter writer;
        try {
            writer = new PointWriter(engine, state);
            SdkMetricMapper.map(metrics, writer);
        } catch (RuntimeException e) {
            log.error("Dropping {} metrics: mapping them failed", metrics.size(), e);
            return CompletableResultCode.ofExceptionalFailure(e);
        }
        if (writer.rejected() > 0) {
            refusalLog.warn(
                    "Not stored (further refusals within a minute are not logged): {}", writer.rejectionMessage());
        }
        if (writer.batch().isEmpty()) {
            return finish(result, writer);
        }
        try {
            engine.submit(writer.batch()).whenComplete((committed, error) -> {
                if (error != null) {
                    writer.rollback();
                    log.warn(
                            "Export of {} points not committed: {}",
                            writer.batch().size(),
                            error.getMessage());
                    result.failExceptionally(error);
                } else {
                    exemplars.write(writer.exemplars()).whenComplete((done, ignored) -> finish(result, writer));
                }
            });
        } catch (RuntimeException e) {
            writer.rollback();
            log.warn("Export of {} points not submitted: {}", writer.batch().size(), e.getMessage());
            result.failExceptionally(e);
        }
        return result;
    }

    private static CompletableResultCode finish(CompletableResultCode result, PointWriter writer) {
        if (writer.rejected() > 0) {
            return result.failExceptionally(new IllegalArgumentException(writer.rejectionMessage()));
        }
        return result.succeed();
    }

    /** Completes when everything exported so far is committed. */
    @Override
    public CompletableResultCode flush() {
        if (engine.isClosed()) {
            return CompletableResultCode.ofSuccess();
        }
        CompletableResultCode result = new CompletableResultCode();
        try {
            engine.flushAsync().whenComplete((n, error) -> {
                if (error != null) {
                    result.failExceptionally(error);
                } else {
                    result.succeed();
                }
            });
        } catch (RuntimeException e) {
            result.failExceptionally(e);
        }
        return result;
    }

    /**
     * Flushes, then refuses further exports; closes the engine when the exporter created it (from a
     * {@link StorageConfig}), never an engine it was given. Idempotent.
     */
    @Override
    public CompletableResultCode shutdown() {
        if (!shutdown.compareAndSet(false, true)) {
            return CompletableResultCode.ofSuccess();
        }
        if (!ownsEngine) {
            return flush();
        }
        try {
            engine.close();
            return CompletableResultCode.ofSuccess();
        } catch (RuntimeException e) {
            return CompletableResultCode.ofExceptionalFailure(e);
        }
    }

    /** The engine this exporter writes to. */
    public StorageEngine engine() {
        return engine;
    }

    @Override
    public String toString() {
        return "TimescaleMetricExporter{schema=" + engine.config().schema() + ", ownsEngine=" + ownsEngine
                + ", temporality=" + AggregationTemporalitySelector.asString(temporalitySelector) + "}";
    }

    /** Builds a {@link TimescaleMetricExporter}; set exactly one of an engine or a config. */
    public static final class Builder {

        private @Nullable StorageEngine engine;
        private @Nullable StorageConfig config;
        private AggregationTemporalitySelector temporalitySelector = AggregationTemporalitySelector.deltaPreferred();
        private DefaultAggregationSelector aggregationSelector = DefaultAggregationSelector.getDefault();
        private long maxCumulativeSeries = 100_000;

        private Builder() {}

        /** An engine the caller owns (and closes); the exporter never closes it. */
        public Builder setEngine(StorageEngine engine) {
            this.engine = Objects.requireNonNull(engine, "engine");
            return this;
        }

        /**
         * A configuration from which {@link #build()} creates an engine that the exporter owns and closes on shutdown.
         */
        public Builder setConfig(StorageConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * The temporality per instrument type; default {@link AggregationTemporalitySelector#deltaPreferred()}
         * (counters and histograms as deltas: no state needed). Cumulative data is converted to deltas per series.
         */
        public Builder setAggregationTemporalitySelector(AggregationTemporalitySelector selector) {
            this.temporalitySelector = Objects.requireNonNull(selector, "aggregationTemporalitySelector");
            return this;
        }

        /** The default aggregation per instrument type; default {@link DefaultAggregationSelector#getDefault()}. */
        public Builder setDefaultAggregationSelector(DefaultAggregationSelector selector) {
            this.aggregationSelector = Objects.requireNonNull(selector, "defaultAggregationSelector");
            return this;
        }

        /** How many cumulative series the delta conversion remembers (least recently used evicted); default 100,000. */
        public Builder setMaxCumulativeSeries(long maxSeries) {
            if (maxSeries < 1) {
                throw new IllegalArgumentException("maxCumulativeSeries must be >= 1, was " + maxSeries);
            }
            this.maxCumulativeSeries = maxSeries;
            return this;
        }

        /**
         * @throws IllegalStateException when neither or both of an engine and a config are set
         */
        public TimescaleMetricExporter build() {
            if ((engine == null) == (config == null)) {
                throw new IllegalStateException(
                        "set exactly one of engine or config, was " + (engine == null ? "neither" : "both"));
            }
            if (engine != null) {
                return new TimescaleMetricExporter(this, engine, false);
            }
            return new TimescaleMetricExporter(this, StorageEngine.create(config), true);
        }
    }
}
