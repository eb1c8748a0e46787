package io.agstorage.otel.internal;

import io.agstorage.core.HistogramPoint;
import io.agstorage.core.MetricSeries;
import io.agstorage.otel.mapping.Labels;
import io.agstorage.otel.mapping.PointWriter;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.DoubleExemplarData;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.ExemplarData;
import io.opentelemetry.sdk.metrics.data.ExponentialHistogramBuckets;
import io.opentelemetry.sdk.metrics.data.ExponentialHistogramPointData;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongExemplarData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.opentelemetry.sdk.metrics.data.SummaryPointData;
import io.opentelemetry.sdk.metrics.data.ValueAtQuantile;
import io.opentelemetry.sdk.resources.Resource;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/** Maps OTel SDK {@link MetricData} to a {@link PointWriter}, copying everything it keeps. */
public final class SdkMetricMapper {

    private SdkMetricMapper() {}

    public static void map(Collection<MetricData> metrics, PointWriter writer) {
        Map<Resource, SortedMap<String, String>> resources = new IdentityHashMap<>();
        Map<InstrumentationScopeInfo, SortedMap<String, String>> scopes = new IdentityHashMap<>();
        for (MetricData metric : metrics) {
            SortedMap<String, String> base = new TreeMap<>(resources.computeIfAbsent(
                    metric.getResource(), r -> attributes(Labels.RESOURCE_PREFIX, r.getAttributes(), new TreeMap<>())));
            base.putAll(scopes.computeIfAbsent(metric.getInstrumentationScopeInfo(), SdkMetricMapper::scope));
            map(metric, base, writer);
        }
    }

    private static void map(MetricData metric, SortedMap<String, String> base, PointWriter w) {
        String name = metric.getName();
        String unit = metric.getUnit();
        switch (metric.getType()) {
            case LONG_GAUGE -> {
                for (LongPointData p : metric.getLongGaugeData().getPoints()) {
                    exemplars(
                            w,
                            w.gauge(name, unit, labels(base, p.getAttributes()), p.getEpochNanos(), p.getValue()),
                            p);
                }
            }
            case DOUBLE_GAUGE -> {
                for (DoublePointData p : metric.getDoubleGaugeData().getPoints()) {
                    exemplars(
                            w,
                            w.gauge(name, unit, labels(base, p.getAttributes()), p.getEpochNanos(), p.getValue()),
                            p);
                }
            }
            case LONG_SUM -> {
                var sum = metric.getLongSumData();
                boolean cumulative = sum.getAggregationTemporality() == AggregationTemporality.CUMULATIVE;
                for (LongPointData p : sum.getPoints()) {
                    exemplars(
                            w,
                            w.sum(
                                    name,
                                    unit,
                                    labels(base, p.getAttributes()),
                                    sum.isMonotonic(),
                                    cumulative,
                                    p.getStartEpochNanos(),
                                    p.getEpochNanos(),
                                    p.getValue()),
                            p);
                }
            }
            case DOUBLE_SUM -> {
                var sum = metric.getDoubleSumData();
                boolean cumulative = sum.getAggregationTemporality() == AggregationTemporality.CUMULATIVE;
                for (DoublePointData p : sum.getPoints()) {
                    exemplars(
                            w,
                            w.sum(
                                    name,
                                    unit,
                                    labels(base, p.getAttributes()),
                                    sum.isMonotonic(),
                                    cumulative,
                                    p.getStartEpochNanos(),
                                    p.getEpochNanos(),
                                    p.getValue()),
                            p);
                }
            }
            case HISTOGRAM -> {
                var h = metric.getHistogramData();
                boolean cumulative = h.getAggregationTemporality() == AggregationTemporality.CUMULATIVE;
                for (HistogramPointData p : h.getPoints()) {
                    HistogramPoint point;
                    try {
                        point = HistogramPoint.explicit(
                                p.getCount(),
                                p.getSum(),
                                p.hasMin() ? p.getMin() : Double.NaN,
                                p.hasMax() ? p.getMax() : Double.NaN,
                                toDoubles(p.getBoundaries()),
                                toLongs(p.getCounts()));
                    } catch (IllegalArgumentException e) {
                        w.reject(name, e.getMessage());
                        continue;
                    }
                    exemplars(
                            w,
                            w.histogram(
                                    name,
                                    unit,
                                    labels(base, p.getAttributes()),
                                    cumulative,
                                    p.getStartEpochNanos(),
                                    p.getEpochNanos(),
                                    point),
                            p);
                }
            }
            case EXPONENTIAL_HISTOGRAM -> {
                var h = metric.getExponentialHistogramData();
                boolean cumulative = h.getAggregationTemporality() == AggregationTemporality.CUMULATIVE;
                for (ExponentialHistogramPointData p : h.getPoints()) {
                    HistogramPoint point;
                    try {
                        ExponentialHistogramBuckets pos = p.getPositiveBuckets();
                        ExponentialHistogramBuckets neg = p.getNegativeBuckets();
                        point = HistogramPoint.exponential(
                                p.getCount(),
                                p.getSum(),
                                p.hasMin() ? p.getMin() : Double.NaN,
                                p.hasMax() ? p.getMax() : Double.NaN,
                                p.getScale(),
                                p.getZeroCount(),
                                pos.getOffset(),
                                toLongs(pos.getBucketCounts()),
                                neg.getOffset(),
                                toLongs(neg.getBucketCounts()));
                    } catch (IllegalArgumentException e) {
                        w.reject(name, e.getMessage());
                        continue;
                    }
                    exemplars(
                            w,
                            w.histogram(
                                    name,
                                    unit,
                                    labels(base, p.getAttributes()),
                                    cumulative,
                                    p.getStartEpochNanos(),
                                    p.getEpochNanos(),
                                    point),
                            p);
                }
            }
            case SUMMARY -> {
                for (SummaryPointData p : metric.getSummaryData().getPoints()) {
                    List<ValueAtQuantile> values = p.getValues();
                    double[] q = new double[values.size()];
                    double[] v = new double[values.size()];
                    for (int i = 0; i < q.length; i++) {
                        q[i] = values.get(i).getQuantile();
                        v[i] = values.get(i).getValue();
                    }
                    w.summary(
                            name,
                            unit,
                            labels(base, p.getAttributes()),
                            p.getStartEpochNanos(),
                            p.getEpochNanos(),
                            p.getCount(),
                            p.getSum(),
                            q,
                            v);
                }
            }
        }
    }

    private static void exemplars(PointWriter w, @Nullable MetricSeries series, PointData p) {
        if (series == null) {
            return;
        }
        for (ExemplarData e : p.getExemplars()) {
            double value = e instanceof LongExemplarData l
                    ? l.getValue()
                    : e instanceof DoubleExemplarData d ? d.getValue() : Double.NaN;
            SpanContext span = e.getSpanContext();
            w.exemplar(
                    series,
                    p.getEpochNanos(),
                    e.getEpochNanos(),
                    value,
                    span.isValid() ? span.getTraceId() : null,
                    span.isValid() ? span.getSpanId() : null,
                    attributes("", e.getFilteredAttributes(), new TreeMap<>()));
        }
    }

    private static SortedMap<String, String> scope(InstrumentationScopeInfo scope) {
        SortedMap<String, String> labels = new TreeMap<>();
        if (!scope.getName().isEmpty()) {
            labels.put(Labels.SCOPE_NAME, scope.getName());
        }
        if (scope.getVersion() != null && !scope.getVersion().isEmpty()) {
            labels.put(Labels.SCOPE_VERSION, scope.getVersion());
        }
        return attributes(Labels.SCOPE_PREFIX, scope.getAttributes(), labels);
    }

    private static SortedMap<String, String> labels(SortedMap<String, String> base, Attributes attributes) {
        return attributes("", attributes, new TreeMap<>(base));
    }

    private static SortedMap<String, String> attributes(
            String prefix, Attributes attributes, SortedMap<String, String> into) {
        attributes.forEach((AttributeKey<?> key, Object value) -> into.put(prefix + key.getKey(), Labels.text(value)));
        return into;
    }

    private static double[] toDoubles(List<Double> list) {
        double[] a = new double[list.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = list.get(i);
        }
        return a;
    }

    private static long[] toLongs(List<Long> list) {
        long[] a = new long[list.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = list.get(i);
        }
        return a;
    }
}
