package io.agstorage.otlp.internal;

import com.google.protobuf.ByteString;
import io.agstorage.core.HistogramPoint;
import io.agstorage.core.MetricSeries;
import io.agstorage.core.MetricType;
import io.agstorage.otel.mapping.Labels;
import io.agstorage.otel.mapping.PointWriter;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Exemplar;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** Maps an OTLP {@link ExportMetricsServiceRequest} to a {@link PointWriter}; refused points are counted there. */
public final class OtlpMetricMapper {

    /** {@code DataPointFlags.DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK}: a staleness marker, not a value. */
    private static final int NO_RECORDED_VALUE = 1;

    private OtlpMetricMapper() {}

    /** The number of data points in the request. */
    public static long countPoints(ExportMetricsServiceRequest request) {
        long n = 0;
        for (ResourceMetrics rm : request.getResourceMetricsList()) {
            for (ScopeMetrics sm : rm.getScopeMetricsList()) {
                for (Metric m : sm.getMetricsList()) {
                    n += switch (m.getDataCase()) {
                        case GAUGE -> m.getGauge().getDataPointsCount();
                        case SUM -> m.getSum().getDataPointsCount();
                        case HISTOGRAM -> m.getHistogram().getDataPointsCount();
                        case EXPONENTIAL_HISTOGRAM ->
                            m.getExponentialHistogram().getDataPointsCount();
                        case SUMMARY -> m.getSummary().getDataPointsCount();
                        case DATA_NOT_SET -> 0;
                    };
                }
            }
        }
        return n;
    }

    public static void map(ExportMetricsServiceRequest request, PointWriter writer) {
        map(request, writer, null);
    }

    /** Maps the request; {@code cache} (when set, and the request needed no UTF-8 repair) remembers number series. */
    public static void map(ExportMetricsServiceRequest request, PointWriter writer, @Nullable SeriesCache cache) {
        SeriesCache useCache = writer.utf8Repaired() ? null : cache;
        for (ResourceMetrics rm : request.getResourceMetricsList()) {
            SortedMap<String, String> resource = OtlpAttributes.attributes(
                    Labels.RESOURCE_PREFIX, rm.getResource().getAttributesList(), new TreeMap<>());
            for (ScopeMetrics sm : rm.getScopeMetricsList()) {
                SortedMap<String, String> base = new TreeMap<>(resource);
                OtlpAttributes.scope(sm.getScope(), base);
                SeriesCache.Context context = useCache == null
                        ? null
                        : useCache.context(rm.getResource().getAttributesList(), sm.getScope());
                for (Metric m : sm.getMetricsList()) {
                    map(m, base, writer, useCache, context);
                }
            }
        }
    }

    /**
     * The series of a gauge or sum point (point {@code index} of its metric), from the cache when it was resolved
     * before.
     */
    private static SeriesCache.@Nullable Resolved numberSeries(
            PointWriter w,
            SeriesCache.@Nullable Lookup lookup,
            int index,
            Metric m,
            int kind,
            SortedMap<String, String> base,
            List<KeyValue> attributes) {
        Object[] flat = null;
        if (lookup != null) {
            flat = SeriesCache.flatten(attributes);
            SeriesCache.Resolved cached = lookup.get(index, flat);
            if (cached != null) {
                return cached;
            }
        }
        MetricSeries series = kind == SeriesCache.GAUGE
                ? w.resolve(m.getName(), OtlpAttributes.labels(base, attributes), MetricType.GAUGE, m.getUnit(), null)
                : w.resolve(
                        m.getName(),
                        OtlpAttributes.labels(base, attributes),
                        PointWriter.sumType(kind == SeriesCache.MONOTONIC_SUM),
                        m.getUnit(),
                        PointWriter.DELTA);
        if (series == null) {
            return null;
        }
        SeriesCache.Resolved resolved = new SeriesCache.Resolved(series);
        if (lookup != null) {
            lookup.put(index, flat, resolved);
        }
        return resolved;
    }

    private static SeriesCache.@Nullable Lookup lookup(
            @Nullable SeriesCache cache, SeriesCache.@Nullable Context context, Metric m, int kind, int points) {
        return cache == null || context == null ? null : cache.lookup(context, m.getName(), m.getUnit(), kind, points);
    }

    private static void map(
            Metric m,
            SortedMap<String, String> base,
            PointWriter w,
            @Nullable SeriesCache cache,
            SeriesCache.@Nullable Context context) {
        String name = m.getName();
        String unit = m.getUnit();
        switch (m.getDataCase()) {
            case GAUGE -> {
                List<NumberDataPoint> points = m.getGauge().getDataPointsList();
                SeriesCache.Lookup lookup = lookup(cache, context, m, SeriesCache.GAUGE, points.size());
                for (int i = 0; i < points.size(); i++) {
                    NumberDataPoint p = points.get(i);
                    if ((p.getFlags() & NO_RECORDED_VALUE) == 0) {
                        SeriesCache.Resolved series =
                                numberSeries(w, lookup, i, m, SeriesCache.GAUGE, base, p.getAttributesList());
                        if (series != null && w.gauge(series.series(), p.getTimeUnixNano(), value(p))) {
                            exemplars(w, series.series(), p.getTimeUnixNano(), p.getExemplarsList());
                        }
                    }
                }
                if (lookup != null) {
                    lookup.done();
                }
            }
            case SUM -> {
                var sum = m.getSum();
                AggregationTemporality t = sum.getAggregationTemporality();
                int kind = sum.getIsMonotonic() ? SeriesCache.MONOTONIC_SUM : SeriesCache.SUM;
                List<NumberDataPoint> points = sum.getDataPointsList();
                SeriesCache.Lookup lookup = lookup(cache, context, m, kind, points.size());
                for (int i = 0; i < points.size(); i++) {
                    NumberDataPoint p = points.get(i);
                    if (!temporalityKnown(t, name, w) || (p.getFlags() & NO_RECORDED_VALUE) != 0) {
                        continue;
                    }
                    SeriesCache.Resolved series = numberSeries(w, lookup, i, m, kind, base, p.getAttributesList());
                    if (series != null
                            && w.sum(
                                    series.series(),
                                    series.sumKey(),
                                    sum.getIsMonotonic(),
                                    t == AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE,
                                    p.getStartTimeUnixNano(),
                                    p.getTimeUnixNano(),
                                    value(p))) {
                        exemplars(w, series.series(), p.getTimeUnixNano(), p.getExemplarsList());
                    }
                }
                if (lookup != null) {
                    lookup.done();
                }
            }
            case HISTOGRAM -> {
                AggregationTemporality t = m.getHistogram().getAggregationTemporality();
                for (HistogramDataPoint p : m.getHistogram().getDataPointsList()) {
                    if (temporalityKnown(t, name, w) && (p.getFlags() & NO_RECORDED_VALUE) == 0) {
                        histogram(
                                w,
                                name,
                                unit,
                                OtlpAttributes.labels(base, p.getAttributesList()),
                                t,
                                p.getStartTimeUnixNano(),
                                p.getTimeUnixNano(),
                                p.getExemplarsList(),
                                () -> explicit(p));
                    }
                }
            }
            case EXPONENTIAL_HISTOGRAM -> {
                AggregationTemporality t = m.getExponentialHistogram().getAggregationTemporality();
                for (ExponentialHistogramDataPoint p :
                        m.getExponentialHistogram().getDataPointsList()) {
                    if (temporalityKnown(t, name, w) && (p.getFlags() & NO_RECORDED_VALUE) == 0) {
                        histogram(
                                w,
                                name,
                                unit,
                                OtlpAttributes.labels(base, p.getAttributesList()),
                                t,
                                p.getStartTimeUnixNano(),
                                p.getTimeUnixNano(),
                                p.getExemplarsList(),
                                () -> exponential(p));
                    }
                }
            }
            case SUMMARY -> {
                for (SummaryDataPoint p : m.getSummary().getDataPointsList()) {
                    if ((p.getFlags() & NO_RECORDED_VALUE) != 0) {
                        continue;
                    }
                    int n = p.getQuantileValuesCount();
                    double[] q = new double[n];
                    double[] v = new double[n];
                    for (int i = 0; i < n; i++) {
                        q[i] = p.getQuantileValues(i).getQuantile();
                        v[i] = p.getQuantileValues(i).getValue();
                    }
                    w.summary(
                            name,
                            unit,
                            OtlpAttributes.labels(base, p.getAttributesList()),
                            p.getStartTimeUnixNano(),
                            p.getTimeUnixNano(),
                            p.getCount(),
                            p.getSum(),
                            q,
                            v);
                }
            }
            case DATA_NOT_SET -> {
                /* a metric without data has no points to store or reject */
            }
        }
    }

    /**
     * Stores one histogram point of either kind with its exemplars, or rejects it when {@code point} refuses its
     * buckets.
     */
    private static void histogram(
            PointWriter w,
            String name,
            String unit,
            SortedMap<String, String> labels,
            AggregationTemporality t,
            long startNanos,
            long timeNanos,
            List<Exemplar> exemplars,
            Supplier<HistogramPoint> point) {
        HistogramPoint h;
        try {
            h = point.get();
        } catch (IllegalArgumentException e) {
            w.reject(name, e.getMessage());
            return;
        }
        MetricSeries series = w.histogram(
                name,
                unit,
                labels,
                t == AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE,
                startNanos,
                timeNanos,
                h);
        if (series != null) {
            exemplars(w, series, timeNanos, exemplars);
        }
    }

    private static void exemplars(PointWriter w, MetricSeries series, long pointTimeNanos, List<Exemplar> exemplars) {
        for (Exemplar e : exemplars) {
            double value = e.getValueCase() == Exemplar.ValueCase.AS_INT ? e.getAsInt() : e.getAsDouble();
            w.exemplar(
                    series,
                    pointTimeNanos,
                    e.getTimeUnixNano(),
                    value,
                    hexId(e.getTraceId(), 16),
                    hexId(e.getSpanId(), 8),
                    OtlpAttributes.attributes("", e.getFilteredAttributesList(), new TreeMap<>()));
        }
    }

    /** Lowercase hex of a trace or span id, or null when absent, all zero or of the wrong length. */
    static @Nullable String hexId(ByteString id, int length) {
        if (id.size() != length) {
            return null;
        }
        StringBuilder hex = new StringBuilder(length * 2);
        boolean zero = true;
        for (int i = 0; i < length; i++) {
            int b = id.byteAt(i) & 0xff;
            zero &= b == 0;
            hex.append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return zero ? null : hex.toString();
    }

    private static boolean temporalityKnown(AggregationTemporality t, String name, PointWriter w) {
        if (t == AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE
                || t == AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA) {
            return true;
        }
        w.reject(name, "aggregation_temporality must be DELTA or CUMULATIVE, was " + t);
        return false;
    }

    private static HistogramPoint explicit(HistogramDataPoint p) {
        double[] bounds = new double[p.getExplicitBoundsCount()];
        for (int i = 0; i < bounds.length; i++) {
            bounds[i] = p.getExplicitBounds(i);
        }
        long[] counts = toLongs(p.getBucketCountsList());
        if (bounds.length == 0 && counts.length == 0) {
            counts = new long[] {p.getCount()};
        }
        return HistogramPoint.explicit(
                p.getCount(),
                p.hasSum() ? p.getSum() : Double.NaN,
                p.hasMin() ? p.getMin() : Double.NaN,
                p.hasMax() ? p.getMax() : Double.NaN,
                bounds,
                counts);
    }

    private static HistogramPoint exponential(ExponentialHistogramDataPoint p) {
        return HistogramPoint.exponential(
                p.getCount(),
                p.hasSum() ? p.getSum() : Double.NaN,
                p.hasMin() ? p.getMin() : Double.NaN,
                p.hasMax() ? p.getMax() : Double.NaN,
                p.getScale(),
                p.getZeroCount(),
                p.getPositive().getOffset(),
                toLongs(p.getPositive().getBucketCountsList()),
                p.getNegative().getOffset(),
                toLongs(p.getNegative().getBucketCountsList()));
    }

    private static double value(NumberDataPoint p) {
        return p.getValueCase() == NumberDataPoint.ValueCase.AS_INT ? p.getAsInt() : p.getAsDouble();
    }

    /** {@link OtlpAttributes#text}: the same text as {@link Labels#text} gives; tests pin it through this class. */
    static String text(AnyValue v) {
        return OtlpAttributes.text(v);
    }

    private static long[] toLongs(List<Long> list) {
        long[] a = new long[list.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = list.get(i);
        }
        return a;
    }
}
