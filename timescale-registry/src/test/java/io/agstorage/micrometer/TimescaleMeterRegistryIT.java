package io.agstorage.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import io.agstorage.core.Aggregation;
import io.agstorage.core.Bucket;
import io.agstorage.core.StorageEngine;
import io.agstorage.core.testing.DatabaseExtension;
import io.agstorage.micrometer.StoredRows.Histogram;
import io.agstorage.micrometer.StoredRows.Sample;
import io.agstorage.micrometer.StoredRows.Series;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Statistic;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.NamingConvention;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Known increments, recordings and gauge values across several steps, driven by a {@link MockClock}, come back
 * exactly from SQL and from {@link StorageEngine#queryAggregated}.
 */
class TimescaleMeterRegistryIT {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration STEP = Duration.ofMinutes(1);
    private static final TimescaleConfig CONFIG = key -> key.equals("timescale.step") ? "1m" : null;

    @RegisterExtension
    static final DatabaseExtension db = DatabaseExtension.apache("mm_it").withEngine();

    private static StoredRows stored;

    private MockClock clock;
    private TimescaleMeterRegistry registry;

    @BeforeAll
    static void readBack() {
        stored = new StoredRows(db.engine());
    }

    @BeforeEach
    void newRegistry() {
        clock = new MockClock();
        clock.add(T0.toEpochMilli() - clock.wallTime(), TimeUnit.MILLISECONDS);
        registry = TimescaleMeterRegistry.builder(CONFIG)
                .clock(clock)
                .storageEngine(db.engine())
                .build();
    }

    @AfterEach
    void closeRegistry() {
        registry.close();
        assertThat(db.engine().isClosed()).isFalse();
    }

    private static Instant at(Duration sinceT0) {
        return T0.plus(sinceT0);
    }

    private void moveTo(Duration sinceT0) {
        clock.add(at(sinceT0).toEpochMilli() - clock.wallTime(), TimeUnit.MILLISECONDS);
    }

    private void publishAt(Duration sinceT0) {
        moveTo(sinceT0);
        registry.publish();
    }

    @Test
    void countersStoreEachStepsIncreaseStampedAtTheStepEnd() {
        Counter placed = Counter.builder("orders.placed").tag("venue", "poly").register(registry);
        moveTo(Duration.ofSeconds(5));
        placed.increment(3);
        publishAt(STEP);
        publishAt(STEP.multipliedBy(2));
        moveTo(Duration.ofSeconds(150));
        placed.increment(2.5);
        placed.increment(2.5);
        publishAt(STEP.multipliedBy(3));

        assertThat(stored.samples("orders_placed"))
                .containsExactly(
                        new Sample(at(STEP), 3, "{\"venue\": \"poly\"}"),
                        new Sample(at(STEP.multipliedBy(2)), 0, "{\"venue\": \"poly\"}"),
                        new Sample(at(STEP.multipliedBy(3)), 5, "{\"venue\": \"poly\"}"));
        assertThat(stored.sum("orders_placed")).isEqualTo(8);
        assertThat(stored.series("orders_placed")).isEqualTo(new Series("counter", "", "delta"));

        List<Bucket> perStep = db.engine()
                .queryAggregated("orders_placed", T0, at(Duration.ofMinutes(4)), STEP, Aggregation.SUM)
                .buckets();
        assertThat(perStep)
                .containsExactly(
                        new Bucket(at(STEP), 3),
                        new Bucket(at(STEP.multipliedBy(2)), 0),
                        new Bucket(at(STEP.multipliedBy(3)), 5));
        List<Bucket> hourly = db.engine()
                .queryAggregated("orders_placed", T0, at(Duration.ofHours(1)), Duration.ofHours(1), Aggregation.SUM)
                .buckets();
        assertThat(hourly).containsExactly(new Bucket(T0, 8));
    }

    @Test
    void timersStoreCountSumMaxAndTheStepsBucketsInTheHistogramsTable() {
        Timer latency = Timer.builder("fill.latency")
                .serviceLevelObjectives(Duration.ofMillis(10), Duration.ofMillis(100))
                .register(registry);
        moveTo(Duration.ofSeconds(50));
        latency.record(Duration.ofMillis(5));
        latency.record(Duration.ofMillis(50));
        latency.record(Duration.ofMillis(50));
        publishAt(STEP);
        moveTo(Duration.ofSeconds(110));
        latency.record(Duration.ofMillis(500));
        publishAt(STEP.multipliedBy(2));

        assertThat(stored.values("fill_latency_count")).containsExactly(3.0, 1.0);
        assertThat(stored.values("fill_latency_sum")).containsExactly(0.105, 0.5);
        assertThat(stored.values("fill_latency_max")).containsExactly(0.05, 0.5);
        assertThat(stored.series("fill_latency_count")).isEqualTo(new Series("counter", "", "delta"));
        assertThat(stored.series("fill_latency_sum")).isEqualTo(new Series("counter", "seconds", "delta"));
        assertThat(stored.series("fill_latency_max")).isEqualTo(new Series("gauge", "seconds", ""));
        assertThat(stored.series("fill_latency")).isEqualTo(new Series("histogram", "seconds", "delta"));

        assertThat(stored.histograms("fill_latency"))
                .containsExactly(
                        new Histogram(at(STEP), 3, 0.105, 0.05, List.of(0.01, 0.1), List.of(1L, 2L, 0L)),
                        new Histogram(at(STEP.multipliedBy(2)), 1, 0.5, 0.5, List.of(0.01, 0.1), List.of(0L, 0L, 1L)));

        List<Bucket> total = db.engine()
                .queryAggregated(
                        "fill_latency_count", T0, at(Duration.ofHours(1)), Duration.ofHours(1), Aggregation.SUM)
                .buckets();
        assertThat(total).containsExactly(new Bucket(T0, 4));
    }

    @Test
    void percentileHistogramsLandAsBucketsNotAsGaugeRows() {
        Timer timer = Timer.builder("quote.latency")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(1))
                .register(registry);
        moveTo(Duration.ofSeconds(30));
        for (int i = 1; i <= 100; i++) {
            timer.record(Duration.ofMillis(i));
        }
        publishAt(STEP);

        List<Histogram> rows = stored.histograms("quote_latency");
        assertThat(rows).hasSize(1);
        Histogram h = rows.get(0);
        assertThat(h.count()).isEqualTo(100);
        assertThat(h.counts().stream().mapToLong(Long::longValue).sum()).isEqualTo(100);
        assertThat(h.bounds()).hasSizeGreaterThan(10).isSorted();
        assertThat(h.counts()).hasSize(h.bounds().size() + 1);
        assertThat(stored.seriesCount("quote_latency_histogram")).isZero();
        assertThat(stored.seriesCount("quote_latency_percentile")).isZero();
    }

    @Test
    void theBaseTimeUnitIsConfigurable() {
        TimescaleConfig millis = key -> switch (key) {
            case "timescale.step" -> "1m";
            case "timescale.baseTimeUnit" -> "milliseconds";
            default -> null;
        };
        TimescaleMeterRegistry inMillis = TimescaleMeterRegistry.builder(millis)
                .clock(clock)
                .storageEngine(db.engine())
                .build();
        try {
            Timer timer = Timer.builder("millis.latency")
                    .serviceLevelObjectives(Duration.ofMillis(10))
                    .register(inMillis);
            moveTo(Duration.ofSeconds(55));
            timer.record(Duration.ofMillis(4));
            timer.record(Duration.ofMillis(40));
            moveTo(STEP);
            inMillis.publish();
        } finally {
            inMillis.close();
        }
        assertThat(stored.values("millis_latency_sum")).startsWith(44.0);
        assertThat(stored.series("millis_latency_sum")).isEqualTo(new Series("counter", "milliseconds", "delta"));
        assertThat(stored.histograms("millis_latency").get(0).bounds()).containsExactly(10.0);
    }

    @Test
    void metersRecordedThroughACompositeOrTheGlobalRegistryAreStored() {
        io.micrometer.core.instrument.composite.CompositeMeterRegistry composite =
                new io.micrometer.core.instrument.composite.CompositeMeterRegistry(clock);
        composite.add(registry);
        composite.counter("composite.orders").increment(3);
        io.micrometer.core.instrument.Metrics.addRegistry(registry);
        try {
            io.micrometer.core.instrument.Metrics.counter("global.orders").increment(2);
        } finally {
            io.micrometer.core.instrument.Metrics.removeRegistry(registry);
        }
        publishAt(STEP);

        assertThat(stored.values("composite_orders")).containsExactly(3.0);
        assertThat(stored.values("global_orders")).containsExactly(2.0);
    }

    @Test
    void gaugesAndTimeGaugesAreSampledAtEachPublishInTheBaseTimeUnit() {
        AtomicInteger positions = new AtomicInteger(2);
        AtomicLong uptimeMillis = new AtomicLong(1_500);
        Gauge.builder("open.positions", positions, AtomicInteger::get).register(registry);
        TimeGauge.builder("feed.lag", uptimeMillis, TimeUnit.MILLISECONDS, AtomicLong::get)
                .register(registry);
        publishAt(STEP);
        positions.set(7);
        uptimeMillis.set(3_000);
        publishAt(STEP.multipliedBy(2));

        assertThat(stored.values("open_positions")).containsExactly(2.0, 7.0);
        assertThat(stored.values("feed_lag")).containsExactly(1.5, 3.0);
        assertThat(stored.series("feed_lag")).isEqualTo(new Series("gauge", "seconds", ""));
        assertThat(db.engine()
                        .queryAggregated(
                                "open_positions", T0, at(Duration.ofHours(1)), Duration.ofHours(1), Aggregation.MAX)
                        .buckets())
                .containsExactly(new Bucket(T0, 7));
    }

    @Test
    void functionCountersAndFunctionTimersStoreStepDeltas() {
        AtomicLong fills = new AtomicLong();
        AtomicLong calls = new AtomicLong();
        AtomicLong callMillis = new AtomicLong();
        FunctionCounter.builder("venue.fills", fills, AtomicLong::get).register(registry);
        FunctionTimer.builder("venue.calls", calls, AtomicLong::get, c -> callMillis.get(), TimeUnit.MILLISECONDS)
                .register(registry);
        fills.set(10);
        calls.set(4);
        callMillis.set(400);
        publishAt(STEP);
        fills.set(15);
        calls.set(6);
        callMillis.set(1_000);
        publishAt(STEP.multipliedBy(2));

        assertThat(stored.values("venue_fills")).containsExactly(10.0, 5.0);
        assertThat(stored.sum("venue_fills")).isEqualTo(15);
        assertThat(stored.values("venue_calls_count")).containsExactly(4.0, 2.0);
        assertThat(stored.values("venue_calls_sum")).containsExactly(0.4, 0.6);
    }

    @Test
    void distributionSummariesKeepCountSumMaxPercentilesAndBuckets() {
        DistributionSummary size = DistributionSummary.builder("order.size")
                .baseUnit("usd")
                .serviceLevelObjectives(10, 100)
                .publishPercentiles(0.5)
                .register(registry);
        moveTo(Duration.ofSeconds(55));
        size.record(5);
        size.record(50);
        size.record(500);
        publishAt(STEP);

        assertThat(stored.values("order_size_count")).containsExactly(3.0);
        assertThat(stored.values("order_size_sum")).containsExactly(555.0);
        assertThat(stored.values("order_size_max")).containsExactly(500.0);
        assertThat(stored.series("order_size_sum")).isEqualTo(new Series("counter", "usd", "delta"));
        assertThat(stored.histograms("order_size"))
                .containsExactly(new Histogram(at(STEP), 3, 555, 500, List.of(10.0, 100.0), List.of(1L, 1L, 1L)));
        List<Sample> p50 = stored.samples("order_size_percentile");
        assertThat(p50).hasSize(1);
        assertThat(p50.get(0).labels()).isEqualTo("{\"phi\": \"0.5\"}");
        assertThat(p50.get(0).value()).isCloseTo(50, within(2.0));
    }

    @Test
    void longTaskTimersStoreActiveTasksAndTheirDuration() {
        LongTaskTimer rebalance = LongTaskTimer.builder("rebalance").register(registry);
        moveTo(Duration.ofSeconds(30));
        LongTaskTimer.Sample running = rebalance.start();
        publishAt(STEP);
        running.stop();
        publishAt(STEP.multipliedBy(2));

        assertThat(stored.values("rebalance_active_count")).containsExactly(1.0, 0.0);
        assertThat(stored.values("rebalance_duration_sum")).containsExactly(30.0, 0.0);
        assertThat(stored.values("rebalance_max")).containsExactly(30.0, 0.0);
    }

    @Test
    void customMetersStoreOneGaugePerMeasurement() {
        Meter.builder(
                        "pool",
                        Meter.Type.OTHER,
                        List.of(
                                new Measurement(() -> 3.0, Statistic.VALUE),
                                new Measurement(() -> 7.0, Statistic.TOTAL),
                                new Measurement(() -> 2.0, Statistic.ACTIVE_TASKS)))
                .register(registry);
        publishAt(STEP);

        assertThat(stored.values("pool")).containsExactly(3.0);
        assertThat(stored.values("pool_total")).containsExactly(7.0);
        assertThat(stored.values("pool_active")).containsExactly(2.0);
    }

    @Test
    void nonFiniteValuesAreSkippedAndCountedWithoutLosingTheRest() {
        Gauge.builder("broken.nan", () -> Double.NaN).register(registry);
        Gauge.builder("broken.inf", () -> Double.POSITIVE_INFINITY).register(registry);
        Gauge.builder("healthy", () -> 1.0).register(registry);
        publishAt(STEP);

        assertThat(stored.samples("broken_nan")).isEmpty();
        assertThat(stored.samples("broken_inf")).isEmpty();
        assertThat(stored.values("healthy")).containsExactly(1.0);
        assertThat(registry.publishStats().nonFiniteSkipped()).isEqualTo(2);
        assertThat(registry.publishStats().failures()).isZero();
    }

    @Test
    void aMeterThatBreaksAStorageRuleIsSkippedAndCountedWithoutLosingTheRest() {
        registry.counter("rule.breaker", "note", "x".repeat(5_000)).increment();
        registry.counter("rule.keeper").increment(2);
        publishAt(STEP);
        publishAt(STEP.multipliedBy(2));

        assertThat(stored.seriesCount("rule_breaker")).isZero();
        assertThat(stored.values("rule_keeper")).containsExactly(2.0, 0.0);
        assertThat(registry.publishStats().invalidMeters()).isEqualTo(1);
        assertThat(registry.publishStats().failures()).isZero();
    }

    @Test
    void aSecondPublishInTheSameStepStoresNothing() {
        Counter counter = registry.counter("twice");
        counter.increment(4);
        publishAt(STEP);
        registry.publish();
        publishAt(STEP.plusSeconds(30));

        assertThat(stored.values("twice")).containsExactly(4.0);
        assertThat(registry.publishStats().publishes()).isEqualTo(1);
    }

    @Test
    void closePublishesTheLastPartialStepAndFlushesItBeforeReturning() {
        Counter counter = registry.counter("shutdown.orders");
        Timer timer = Timer.builder("shutdown.latency")
                .serviceLevelObjectives(Duration.ofMillis(10))
                .register(registry);
        moveTo(Duration.ofSeconds(50));
        counter.increment(2);
        timer.record(Duration.ofMillis(5));
        publishAt(STEP);
        moveTo(Duration.ofSeconds(70));
        counter.increment(4);
        timer.record(Duration.ofMillis(50));
        timer.record(Duration.ofMillis(50));

        registry.close();

        assertThat(stored.samples("shutdown_orders"))
                .extracting(Sample::time, Sample::value)
                .containsExactly(tuple(at(STEP), 2.0), tuple(at(STEP.multipliedBy(2)), 4.0));
        assertThat(stored.values("shutdown_latency_count")).containsExactly(1.0, 2.0);
        assertThat(stored.histograms("shutdown_latency"))
                .extracting(Histogram::counts)
                .containsExactly(List.of(1L, 0L), List.of(0L, 2L));
        assertThat(registry.publishStats().failures()).isZero();
    }

    @Test
    void closeAlsoStoresACompletedStepThatWasNeverPublished() {
        Counter counter = registry.counter("unpublished.orders");
        moveTo(Duration.ofSeconds(10));
        counter.increment(3);
        moveTo(STEP);
        counter.count(); // what Micrometer's poller does at every step boundary: roll the step over
        moveTo(Duration.ofSeconds(70));
        counter.increment(4);

        registry.close();

        assertThat(stored.samples("unpublished_orders"))
                .extracting(Sample::time, Sample::value)
                .containsExactly(tuple(at(STEP), 3.0), tuple(at(STEP.multipliedBy(2)), 4.0));
        registry.close(); // idempotent
        assertThat(stored.sum("unpublished_orders")).isEqualTo(7);
    }

    @Test
    void namesAndTagKeysAreSnakeCaseByDefaultAndTheConventionIsReplaceable() {
        registry.counter("Risk.limitHits", "limit.kind", "notional").increment();
        publishAt(STEP);
        registry.config().namingConvention(NamingConvention.dot);
        registry.counter("Risk.limitHits", "limit.kind", "notional").increment(2);
        publishAt(STEP.multipliedBy(2));

        assertThat(stored.samples("Risk_limitHits"))
                .extracting(Sample::labels)
                .containsExactly("{\"limit_kind\": \"notional\"}");
        assertThat(stored.samples("Risk.limitHits"))
                .extracting(Sample::value, Sample::labels)
                .containsExactly(tuple(2.0, "{\"limit.kind\": \"notional\"}"));
    }

    @Test
    void commonTagsAndMeterFiltersApply() {
        registry.config().commonTags("bot", "mm").meterFilter(MeterFilter.denyNameStartsWith("debug"));
        registry.counter("filtered.orders").increment();
        registry.counter("debug.noise").increment();
        publishAt(STEP);

        assertThat(stored.samples("filtered_orders")).extracting(Sample::labels).containsExactly("{\"bot\": \"mm\"}");
        assertThat(stored.seriesCount("debug_noise")).isZero();
    }

    @Test
    void withTheSystemClockThePublisherThreadStoresEveryStepOnItsOwn() {
        TimescaleConfig everySecond = key -> key.equals("timescale.step") ? "1s" : null;
        TimescaleMeterRegistry live = TimescaleMeterRegistry.builder(everySecond)
                .storageEngine(db.engine())
                .build();
        try {
            Counter counter = live.counter("live.orders");
            counter.increment(5);
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(stored.sum("live_orders")).isEqualTo(5));
            counter.increment(2);
        } finally {
            live.close();
        }
        assertThat(stored.sum("live_orders")).isEqualTo(7);
        assertThat(live.publishStats().failures()).isZero();
        assertThat(stored.samples("live_orders"))
                .extracting(row -> row.time().toEpochMilli() % 1_000)
                .containsOnly(0L);
    }

    @Test
    void publishNeverThrowsAndCountsTheFailure() {
        StorageEngine doomed = StorageEngine.create(db.config().build());
        TimescaleMeterRegistry onDoomed = TimescaleMeterRegistry.builder(CONFIG)
                .clock(clock)
                .storageEngine(doomed)
                .build();
        try {
            onDoomed.counter("doomed").increment();
            doomed.close();
            moveTo(STEP);
            onDoomed.publish();
            assertThat(onDoomed.publishStats().failures()).isEqualTo(1);
        } finally {
            onDoomed.close();
        }
    }

    @Test
    void aRegistryCreatesAndClosesItsOwnEngineFromTheConfig() {
        String ownSchema = db.newSchema("mm_own");
        TimescaleConfig config = key -> switch (key) {
            case "timescale.url" -> db.url();
            case "timescale.schema" -> ownSchema;
            case "timescale.maxConnections" -> "2";
            default -> null;
        };
        TimescaleMeterRegistry own = new TimescaleMeterRegistry(config, clock);
        try {
            own.counter("own.orders").increment(6);
            moveTo(STEP);
            own.publish();
            assertThat(new StoredRows(own.storageEngine()).values("own_orders")).containsExactly(6.0);
            assertThat(own.storageEngine().config().schema()).isEqualTo(ownSchema);
        } finally {
            own.close();
        }
        assertThat(own.storageEngine().isClosed()).isTrue();
    }

    @Test
    void aRegistryOnACallersDataSourceClosesItsEngineButNotTheDataSource() {
        TimescaleConfig config = key -> key.equals("timescale.schema") ? db.schema() : null;
        TimescaleMeterRegistry onPool = TimescaleMeterRegistry.builder(config)
                .clock(clock)
                .dataSource(db.engine().dataSource())
                .build();
        onPool.counter("pooled.orders").increment(2);
        moveTo(STEP);
        onPool.close();

        assertThat(onPool.storageEngine().isClosed()).isTrue();
        assertThat(stored.samples("pooled_orders"))
                .extracting(Sample::time, Sample::value)
                .containsExactly(tuple(at(STEP), 2.0), tuple(at(STEP.multipliedBy(2)), 0.0));
    }

    @Test
    void theBuilderTakesAnEngineOrADataSourceNotBoth() {
        assertThatThrownBy(() -> TimescaleMeterRegistry.builder(CONFIG)
                        .storageEngine(db.engine())
                        .dataSource(db.engine().dataSource())
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("storageEngine and dataSource are exclusive: set one of them, not both");
    }

    @Test
    void aDisabledRegistryPublishesNothingAndNeedsNoDatabase() {
        TimescaleConfig disabled = key -> key.equals("timescale.enabled") ? "false" : null;
        TimescaleMeterRegistry off = new TimescaleMeterRegistry(disabled, clock);
        off.counter("disabled.orders").increment();
        moveTo(STEP);
        off.publish();
        off.close();
        assertThat(stored.seriesCount("disabled_orders")).isZero();
        assertThatThrownBy(off::storageEngine)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("TimescaleMeterRegistry is disabled (timescale.enabled=false) and has no storage engine");
    }
}
