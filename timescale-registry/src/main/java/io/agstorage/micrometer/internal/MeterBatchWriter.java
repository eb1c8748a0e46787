package io.agstorage.micrometer.internal;

import io.agstorage.core.HistogramPoint;
import io.agstorage.core.MetricSeries;
import io.agstorage.core.MetricType;
import io.agstorage.core.SampleBatch;
import io.agstorage.core.StorageEngine;
import io.agstorage.core.logging.ThrottledLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Statistic;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.NamingConvention;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.util.DoubleFormat;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the step values of meters into a {@link SampleBatch}. Each meter's series handles are resolved once (name
 * through the naming convention, tags as labels) and cached until the meter is removed or the convention changes.
 *
 * <p>Layout, with the default snake_case convention and a meter named {@code a.b}:
 * <ul>
 *   <li>Counter, FunctionCounter: {@code a_b}, type counter, the step's increase (delta).
 *   <li>Gauge, TimeGauge: {@code a_b}, type gauge, the value at publish (time gauges in the base time unit).
 *   <li>Timer, DistributionSummary: {@code a_b_count} and {@code a_b_sum} (counters, step deltas),
 *       {@code a_b_max} (gauge, the step's maximum), {@code a_b_percentile} with label {@code phi} (gauges), and
 *       the bucket counts of the step as one row of the histograms table on series {@code a_b}.
 *   <li>FunctionTimer: {@code a_b_count}, {@code a_b_sum} (counters, step deltas).
 *   <li>LongTaskTimer: {@code a_b_active_count}, {@code a_b_duration_sum}, {@code a_b_max} (gauges),
 *       percentiles and a histogram row of the running tasks' durations.
 *   <li>Any other meter: one gauge per measurement, {@code a_b} for {@link Statistic#VALUE} and
 *       {@link Statistic#UNKNOWN}, else {@code a_b_<statistic>} ({@code a_b_total}, {@code a_b_count}, ...).
 * </ul>
 * Not thread-safe: the registry calls it under its publish lock; {@link #forget} may be called from any thread.
 */
public final class MeterBatchWriter {

    private static final Logger log = LoggerFactory.getLogger(MeterBatchWriter.class);
    private static final String DELTA = "delta";
    private static final String PHI = "phi";

    private final StorageEngine engine;
    private final TimeUnit baseTimeUnit;
    private final String timeUnitName;
    private final Map<Meter.Id, MeterSeries> cache = new ConcurrentHashMap<>();
    private final LongAdder nonFinite = new LongAdder();
    private final LongAdder invalid = new LongAdder();
    private final ThrottledLog invalidLog = new ThrottledLog(log, Duration.ofMinutes(1));
    private @Nullable NamingConvention convention;
    private long epochMicros;
    private @Nullable SampleBatch batch;

    public MeterBatchWriter(StorageEngine engine, TimeUnit baseTimeUnit) {
        this.engine = engine;
        this.baseTimeUnit = baseTimeUnit;
        this.timeUnitName = baseTimeUnit.name().toLowerCase(Locale.ROOT);
    }

    /**
     * Adds the step values of {@code meters} to {@code batch}, stamped {@code epochMicros}; never throws for one bad
     * meter.
     */
    public void write(List<Meter> meters, NamingConvention namingConvention, long epochMicros, SampleBatch batch) {
        if (namingConvention != convention) {
            cache.clear();
            convention = namingConvention;
        }
        this.epochMicros = epochMicros;
        this.batch = batch;
        try {
            for (Meter meter : meters) {
                if (meter.getId().syntheticAssociation() != null && meter instanceof Gauge) {
                    continue; // percentile or bucket gauges: their timer writes them itself
                }
                MeterSeries series = cache.computeIfAbsent(meter.getId(), MeterSeries::new);
                if (series.broken) {
                    continue;
                }
                try {
                    write(meter, series);
                } catch (IllegalArgumentException e) {
                    series.broken = true;
                    invalid.increment();
                    invalidLog.warn(
                            "Not storing meter '{}': {}", shorten(meter.getId().getName()), e.getMessage());
                }
            }
        } finally {
            this.batch = null;
        }
    }

    private void write(Meter meter, MeterSeries series) {
        if (meter instanceof TimeGauge tg) {
            series.sample(Slot.VALUE, MetricType.GAUGE, timeUnitName, null, tg.value(baseTimeUnit));
        } else if (meter instanceof Gauge g) {
            series.sample(Slot.VALUE, MetricType.GAUGE, g.getId().getBaseUnit(), null, g.value());
        } else if (meter instanceof Counter c) {
            series.sample(Slot.VALUE, MetricType.COUNTER, c.getId().getBaseUnit(), DELTA, c.count());
        } else if (meter instanceof Timer t) {
            timer(series, t);
        } else if (meter instanceof DistributionSummary ds) {
            summary(series, ds);
        } else if (meter instanceof LongTaskTimer ltt) {
            longTaskTimer(series, ltt);
        } else if (meter instanceof FunctionCounter fc) {
            series.sample(Slot.VALUE, MetricType.COUNTER, fc.getId().getBaseUnit(), DELTA, fc.count());
        } else if (meter instanceof FunctionTimer ft) {
            functionTimer(series, ft);
        } else {
            custom(series, meter);
        }
    }

    /** Drops the cached series of a removed meter. */
    public void forget(Meter.Id id) {
        cache.remove(id);
    }

    /** Values skipped because they were NaN or infinite. */
    public long nonFiniteSkipped() {
        return nonFinite.sum();
    }

    /** Meters not stored because their name, a tag or a histogram broke a storage rule. */
    public long invalidMeters() {
        return invalid.sum();
    }

    private void timer(MeterSeries s, Timer timer) {
        HistogramSnapshot snapshot = timer.takeSnapshot();
        long count = timer.count();
        double sum = timer.totalTime(baseTimeUnit);
        double max = timer.max(baseTimeUnit);
        s.sample(Slot.COUNT, MetricType.COUNTER, null, DELTA, count);
        s.sample(Slot.SUM, MetricType.COUNTER, timeUnitName, DELTA, sum);
        s.sample(Slot.MAX, MetricType.GAUGE, timeUnitName, null, max);
        s.percentiles(snapshot.percentileValues(), timeUnitName, baseTimeUnit);
        s.histogram(snapshot, count, sum, max, baseTimeUnit, timeUnitName, DELTA);
    }

    private void summary(MeterSeries s, DistributionSummary summary) {
        String unit = summary.getId().getBaseUnit();
        HistogramSnapshot snapshot = summary.takeSnapshot();
        long count = summary.count();
        double sum = summary.totalAmount();
        double max = summary.max();
        s.sample(Slot.COUNT, MetricType.COUNTER, null, DELTA, count);
        s.sample(Slot.SUM, MetricType.COUNTER, unit, DELTA, sum);
        s.sample(Slot.MAX, MetricType.GAUGE, unit, null, max);
        s.percentiles(snapshot.percentileValues(), unit, null);
        s.histogram(snapshot, count, sum, max, null, unit, DELTA);
    }

    private void longTaskTimer(MeterSeries s, LongTaskTimer ltt) {
        HistogramSnapshot snapshot = ltt.takeSnapshot();
        double duration = ltt.duration(baseTimeUnit);
        double max = ltt.max(baseTimeUnit);
        s.sample(Slot.ACTIVE, MetricType.GAUGE, null, null, ltt.activeTasks());
        s.sample(Slot.DURATION, MetricType.GAUGE, timeUnitName, null, duration);
        s.sample(Slot.MAX, MetricType.GAUGE, timeUnitName, null, max);
        s.percentiles(snapshot.percentileValues(), timeUnitName, baseTimeUnit);
        s.histogram(snapshot, snapshot.count(), duration, max, baseTimeUnit, timeUnitName, null);
    }

    private void functionTimer(MeterSeries s, FunctionTimer timer) {
        s.sample(Slot.COUNT, MetricType.COUNTER, null, DELTA, timer.count());
        s.sample(Slot.SUM, MetricType.COUNTER, timeUnitName, DELTA, timer.totalTime(baseTimeUnit));
    }

    private void custom(MeterSeries s, Meter meter) {
        for (Measurement m : meter.measure()) {
            s.statistic(m.getStatistic(), m.getValue());
        }
    }

    private enum Slot {
        VALUE(null),
        COUNT("count"),
        SUM("sum"),
        MAX("max"),
        ACTIVE("active.count"),
        DURATION("duration.sum");

        final @Nullable String suffix;

        Slot(@Nullable String suffix) {
            this.suffix = suffix;
        }
    }

    /** The storage series of one meter, created on first use. */
    private final class MeterSeries {
        private final Meter.Id id;
        private final NamingConvention naming;
        private final Map<String, String> labels;
        private final EnumMap<Slot, MetricSeries> slots = new EnumMap<>(Slot.class);
        private final Map<Double, MetricSeries> percentiles = new HashMap<>();
        private final EnumMap<Statistic, MetricSeries> statistics = new EnumMap<>(Statistic.class);
        private @Nullable MetricSeries histogram;
        boolean broken;

        MeterSeries(Meter.Id id) {
            this.id = id;
            this.naming = convention != null ? convention : NamingConvention.snakeCase;
            Map<String, String> tags = new TreeMap<>();
            for (Tag tag : id.getConventionTags(naming)) {
                tags.put(tag.getKey(), tag.getValue());
            }
            this.labels = tags;
        }

        private String name(@Nullable String suffix) {
            return suffix == null
                    ? id.getConventionName(naming)
                    : naming.name(id.getName() + "." + suffix, id.getType(), id.getBaseUnit());
        }

        void sample(Slot slot, MetricType type, @Nullable String unit, @Nullable String temporality, double value) {
            MetricSeries s = slots.get(slot);
            if (s == null) {
                s = engine.series(name(slot.suffix), labels, type, unit, temporality);
                slots.put(slot, s);
            }
            add(s, value);
        }

        void percentiles(ValueAtPercentile[] values, @Nullable String unit, @Nullable TimeUnit timeUnit) {
            for (ValueAtPercentile v : values) {
                MetricSeries s = percentiles.get(v.percentile());
                if (s == null) {
                    Map<String, String> withPhi = new TreeMap<>(labels);
                    withPhi.put(naming.tagKey(PHI), DoubleFormat.decimalOrNan(v.percentile()));
                    s = engine.series(name("percentile"), withPhi, MetricType.GAUGE, unit, null);
                    percentiles.put(v.percentile(), s);
                }
                add(s, timeUnit != null ? v.value(timeUnit) : v.value());
            }
        }

        void histogram(
                HistogramSnapshot snapshot,
                long count,
                double sum,
                double max,
                @Nullable TimeUnit boundsUnit,
                @Nullable String unit,
                @Nullable String temporality) {
            if (snapshot.histogramCounts().length == 0) {
                return;
            }
            HistogramPoint point;
            try {
                point = Buckets.explicit(snapshot.histogramCounts(), count, sum, max, boundsUnit);
            } catch (IllegalArgumentException e) {
                invalid.increment();
                invalidLog.warn("Not storing this step's histogram of '{}': {}", shorten(id.getName()), e.getMessage());
                return;
            }
            if (point == null || point.count() == 0) {
                return;
            }
            if (histogram == null) {
                histogram = engine.series(name(null), labels, MetricType.HISTOGRAM, unit, temporality);
            }
            batch().addHistogram(histogram, epochMicros, point);
        }

        void statistic(Statistic statistic, double value) {
            MetricSeries s = statistics.get(statistic);
            if (s == null) {
                String suffix = statistic == Statistic.VALUE || statistic == Statistic.UNKNOWN
                        ? null
                        : statistic.getTagValueRepresentation();
                s = engine.series(name(suffix), labels, MetricType.GAUGE, id.getBaseUnit(), null);
                statistics.put(statistic, s);
            }
            add(s, value);
        }

        private void add(MetricSeries s, double value) {
            if (!batch().add(s, epochMicros, value)) {
                nonFinite.increment();
            }
        }
    }

    private static String shorten(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }

    private SampleBatch batch() {
        SampleBatch b = batch;
        if (b == null) {
            throw new IllegalStateException("write() is not in progress");
        }
        return b;
    }
}
