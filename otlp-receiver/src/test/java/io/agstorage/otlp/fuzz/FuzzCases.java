package io.agstorage.otlp.fuzz;

import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
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
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

/**
 * Seeded generator of OTLP/HTTP requests, each mutated from a valid export. Case {@code id} of seed {@code s} is always
 * the same request, so a failing case is replayed by its number.
 *
 * <p>Metric names carry what the fuzzer may check afterwards: {@code fuzz.ok.*} points are valid, and a gauge value
 * {@code id * 1024 + 7} names its case, so a stored row of a refused request is found; {@code fuzz.bad.*} points must
 * be refused by the receiver (NaN, infinities, negative times, bucket mismatches, invalid UTF-8, labels past the
 * rules); {@code fuzz.any.*} points may go either way (duplicate attributes, deep attribute values, unset times).
 */
final class FuzzCases {

    /** One generated request. */
    record Case(int id, String kind, String contentType, String encoding, byte[] body) {}

    static final String PROTOBUF = "application/x-protobuf";
    static final String JSON = "application/json";
    private static final long NOW = System.currentTimeMillis() * 1_000_000L;
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();

    private final long seed;

    FuzzCases(long seed) {
        this.seed = seed;
    }

    /** The value of a valid gauge point of case {@code id}: recognisable among stored rows. */
    static double marker(int id) {
        return id * 1024.0 + 7;
    }

    /** The stored time (epoch microseconds) of the valid points of case {@code id}. */
    static long timeMicros(int id) {
        return (NOW + id * 1_000L) / 1_000;
    }

    /** The case a stored value names, or -1. */
    static int caseOf(double value) {
        if (value < 7 || value != Math.rint(value) || value > 1e15) {
            return -1;
        }
        long v = (long) value;
        return (v - 7) % 1024 == 0 ? (int) ((v - 7) / 1024) : -1;
    }

    Case generate(int id) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + id);
        int pick = r.nextInt(100);
        Case c;
        if (pick < 10) {
            c = protobuf(id, "valid", valid(id, r, "fuzz.ok.").build().toByteArray());
        } else if (pick < 35) {
            c = semantic(id, r);
        } else if (pick < 70) {
            c = bytes(id, r);
        } else if (pick < 90) {
            c = json(id, r);
        } else {
            c = transport(id, r);
        }
        if (c.encoding() == null && r.nextInt(100) < 30) {
            return new Case(c.id(), c.kind() + "+gzip", c.contentType(), "gzip", gzip(c.body()));
        }
        return c;
    }

    private static Case protobuf(int id, String kind, byte[] body) {
        return new Case(id, kind, PROTOBUF, null, body);
    }

    // ---- valid exports -------------------------------------------------------------------------------------------

    private static KeyValue kv(String k, String v) {
        return KeyValue.newBuilder()
                .setKey(k)
                .setValue(AnyValue.newBuilder().setStringValue(v))
                .build();
    }

    private static List<KeyValue> attrs(SplittableRandom r) {
        int n = r.nextInt(3);
        KeyValue[] a = new KeyValue[n];
        for (int i = 0; i < n; i++) {
            a[i] = kv("k" + i, "v" + r.nextInt(4));
        }
        return Arrays.asList(a);
    }

    private static NumberDataPoint.Builder number(int id, SplittableRandom r) {
        return NumberDataPoint.newBuilder()
                .addAllAttributes(attrs(r))
                .setStartTimeUnixNano(NOW - 60_000_000_000L)
                .setTimeUnixNano(NOW + id * 1_000L)
                .setAsDouble(marker(id));
    }

    private static Metric gauge(String name, NumberDataPoint.Builder p) {
        return Metric.newBuilder()
                .setName(name)
                .setGauge(Gauge.newBuilder().addDataPoints(p))
                .build();
    }

    private static Metric metric(int id, SplittableRandom r, String prefix) {
        int kind = r.nextInt(6);
        String name = prefix + new String[] {"gauge", "dsum", "csum", "hist", "exp", "summary"}[kind] + r.nextInt(3);
        Metric.Builder m = Metric.newBuilder().setName(name).setUnit(r.nextBoolean() ? "ms" : "");
        switch (kind) {
            case 0 -> m.setGauge(Gauge.newBuilder().addDataPoints(number(id, r)));
            case 1 ->
                m.setSum(Sum.newBuilder()
                        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA)
                        .setIsMonotonic(r.nextBoolean())
                        .addDataPoints(number(id, r).setAsInt(r.nextInt(1000))));
            case 2 ->
                m.setSum(Sum.newBuilder()
                        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
                        .setIsMonotonic(true)
                        .addDataPoints(number(id, r).setAsDouble(id)));
            case 3 ->
                m.setHistogram(Histogram.newBuilder()
                        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA)
                        .addDataPoints(HistogramDataPoint.newBuilder()
                                .addAllAttributes(attrs(r))
                                .setStartTimeUnixNano(NOW - 60_000_000_000L)
                                .setTimeUnixNano(NOW + id * 1_000L)
                                .setCount(6)
                                .setSum(40)
                                .addAllExplicitBounds(List.of(1.0, 5.0, 10.0))
                                .addAllBucketCounts(List.of(1L, 2L, 2L, 1L))));
            case 4 ->
                m.setExponentialHistogram(ExponentialHistogram.newBuilder()
                        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA)
                        .addDataPoints(ExponentialHistogramDataPoint.newBuilder()
                                .addAllAttributes(attrs(r))
                                .setStartTimeUnixNano(NOW - 60_000_000_000L)
                                .setTimeUnixNano(NOW + id * 1_000L)
                                .setScale(r.nextInt(-2, 4))
                                .setCount(4)
                                .setSum(20)
                                .setZeroCount(1)
                                .setPositive(ExponentialHistogramDataPoint.Buckets.newBuilder()
                                        .setOffset(r.nextInt(-3, 3))
                                        .addAllBucketCounts(List.of(1L, 2L)))));
            default ->
                m.setSummary(Summary.newBuilder()
                        .addDataPoints(SummaryDataPoint.newBuilder()
                                .addAllAttributes(attrs(r))
                                .setTimeUnixNano(NOW + id * 1_000L)
                                .setCount(10)
                                .setSum(55)
                                .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder()
                                        .setQuantile(0.5)
                                        .setValue(5))));
        }
        return m.build();
    }

    private static ScopeMetrics.Builder scope(SplittableRandom r) {
        return ScopeMetrics.newBuilder()
                .setScope(InstrumentationScope.newBuilder().setName("fuzz").setVersion("1." + r.nextInt(2)));
    }

    static ExportMetricsServiceRequest.Builder valid(int id, SplittableRandom r, String prefix) {
        ScopeMetrics.Builder scope = scope(r);
        int n = 1 + r.nextInt(4);
        for (int i = 0; i < n; i++) {
            scope.addMetrics(metric(id, r, prefix));
        }
        return ExportMetricsServiceRequest.newBuilder()
                .addResourceMetrics(ResourceMetrics.newBuilder()
                        .setResource(Resource.newBuilder().addAttributes(kv("service.name", "fuzz" + r.nextInt(3))))
                        .addScopeMetrics(scope));
    }

    // ---- semantic mutations: a valid export plus one point the receiver must refuse (or may take) --------------

    private static Case semantic(int id, SplittableRandom r) {
        ExportMetricsServiceRequest.Builder req = valid(id, r, "fuzz.ok.");
        ScopeMetrics.Builder scope = req.getResourceMetricsBuilder(0).getScopeMetricsBuilder(0);
        int what = r.nextInt(13);
        String kind;
        switch (what) {
            case 0 -> {
                double v = new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}[r.nextInt(3)];
                scope.addMetrics(gauge("fuzz.bad.nonfinite", number(id, r).setAsDouble(v)));
                kind = "nan-inf";
            }
            case 1 -> {
                long t = new long[] {-1L, Long.MIN_VALUE, -NOW}[r.nextInt(3)];
                scope.addMetrics(gauge("fuzz.bad.time", number(id, r).setTimeUnixNano(t)));
                kind = "absurd-time";
            }
            case 2 -> {
                scope.addMetrics(Metric.newBuilder()
                        .setName("fuzz.bad.buckets")
                        .setHistogram(Histogram.newBuilder()
                                .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA)
                                .addDataPoints(HistogramDataPoint.newBuilder()
                                        .setTimeUnixNano(NOW)
                                        .setCount(r.nextInt(2) == 0 ? 3 : 100)
                                        .addAllExplicitBounds(List.of(1.0, 5.0, 10.0))
                                        .addAllBucketCounts(
                                                r.nextBoolean() ? List.of(1L, 2L) : List.of(1L, 1L, 1L, 1L, 1L)))));
                kind = "bucket-mismatch";
            }
            case 3 -> {
                scope.addMetrics(gauge("fuzz.bad.utf8", number(id, r).addAttributes(kv("u", BAD_UTF8_MARKER))));
                kind = "invalid-utf8";
            }
            case 4 -> {
                scope.addMetrics(gauge(
                        "fuzz.bad.longlabel", number(id, r).addAttributes(kv("big", "x".repeat(5_000)))));
                kind = "label-too-long";
            }
            case 5 -> {
                NumberDataPoint.Builder p = number(id, r);
                for (int i = 0; i < 200; i++) {
                    p.addAttributes(kv("many" + i, "v"));
                }
                scope.addMetrics(gauge("fuzz.bad.manylabels", p));
                kind = "too-many-labels";
            }
            case 6 -> {
                scope.addMetrics(gauge(
                        "fuzz.any.dup",
                        number(id, r).addAttributes(kv("d", "1")).addAttributes(kv("d", "2"))));
                kind = "duplicate-attributes";
            }
            case 7 -> {
                AnyValue.Builder v = AnyValue.newBuilder().setStringValue("leaf");
                int depth = 1 + r.nextInt(120);
                for (int i = 0; i < depth; i++) {
                    v = AnyValue.newBuilder()
                            .setKvlistValue(KeyValueList.newBuilder()
                                    .addValues(KeyValue.newBuilder().setKey("n").setValue(v)));
                }
                scope.addMetrics(gauge(
                        "fuzz.any.deep",
                        number(id, r)
                                .addAttributes(
                                        KeyValue.newBuilder().setKey("deep").setValue(v))));
                kind = "deep-attribute";
            }
            case 8 -> {
                scope.addMetrics(gauge(
                        "fuzz.any.notime", number(id, r).setTimeUnixNano(0).setStartTimeUnixNano(0)));
                kind = "unset-time";
            }
            case 9 -> {
                scope.addMetrics(Metric.newBuilder().setName("fuzz.any.empty").build());
                kind = "no-data";
            }
            case 10 -> {
                scope.addMetrics(Metric.newBuilder()
                        .setName("fuzz.bad.exp")
                        .setExponentialHistogram(ExponentialHistogram.newBuilder()
                                .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA)
                                .addDataPoints(ExponentialHistogramDataPoint.newBuilder()
                                        .setTimeUnixNano(NOW)
                                        .setScale(r.nextBoolean() ? 100 : -100)
                                        .setCount(r.nextBoolean() ? 1 : Long.MAX_VALUE)
                                        .setPositive(ExponentialHistogramDataPoint.Buckets.newBuilder()
                                                .setOffset(r.nextBoolean() ? Integer.MAX_VALUE : Integer.MIN_VALUE)
                                                .addAllBucketCounts(List.of(5L, 7L))))));
                kind = "exp-histogram-absurd";
            }
            case 11 -> {
                scope.addMetrics(Metric.newBuilder()
                        .setName("fuzz.bad.quantile")
                        .setSummary(Summary.newBuilder()
                                .addDataPoints(SummaryDataPoint.newBuilder()
                                        .setTimeUnixNano(NOW)
                                        .setCount(1)
                                        .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder()
                                                .setQuantile(r.nextBoolean() ? 1.5 : Double.NaN)
                                                .setValue(1)))));
                kind = "bad-quantile";
            }
            default -> {
                scope.addMetrics(gauge("fuzz.bad.name\u0000nul", number(id, r)));
                kind = "nul-in-name";
            }
        }
        byte[] body = req.build().toByteArray();
        if (what == 3) {
            breakUtf8(body);
        }
        return protobuf(id, "semantic:" + kind, body);
    }

    private static final String BAD_UTF8_MARKER = "@@bad-utf8@@";

    /** Overwrites the marker's bytes with invalid UTF-8 (protobuf's builders refuse to hold such strings). */
    private static void breakUtf8(byte[] body) {
        byte[] m = BAD_UTF8_MARKER.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = 0; i + m.length <= body.length; i++) {
            for (int j = 0; j < m.length; j++) {
                if (body[i + j] != m[j]) {
                    continue outer;
                }
            }
            body[i + 1] = (byte) 0xC3;
            body[i + 2] = (byte) 0x28;
            body[i + 3] = (byte) 0xFF;
            return;
        }
    }

    // ---- byte mutations of a serialized export ---------------------------------------------------------------------

    private static Case bytes(int id, SplittableRandom r) {
        byte[] b = valid(id, r, "fuzz.raw.").build().toByteArray();
        int what = r.nextInt(8);
        String kind;
        switch (what) {
            case 0 -> {
                b = Arrays.copyOf(b, r.nextInt(b.length));
                kind = "truncated";
            }
            case 1 -> {
                int flips = 1 + r.nextInt(6);
                for (int i = 0; i < flips; i++) {
                    b[r.nextInt(b.length)] ^= (byte) (1 + r.nextInt(255));
                }
                kind = "flipped";
            }
            case 2 -> {
                int at = r.nextInt(b.length);
                b[at] = (byte) ((b[at] & ~7) | r.nextInt(8));
                kind = "wire-type";
            }
            case 3 -> {
                byte[] huge = {0x0A, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F};
                b = splice(b, r.nextInt(b.length + 1), huge);
                kind = "huge-length";
            }
            case 4 -> {
                byte[] garbage = new byte[1 + r.nextInt(32)];
                for (int i = 0; i < garbage.length; i++) {
                    garbage[i] = (byte) r.nextInt(256);
                }
                b = splice(b, r.nextInt(b.length + 1), garbage);
                kind = "garbage";
            }
            case 5 -> {
                b = nested(1 + r.nextInt(3_000));
                kind = "deep-nesting";
            }
            case 6 -> {
                int from = r.nextInt(b.length);
                int to = from + r.nextInt(b.length - from + 1);
                b = splice(b, r.nextInt(b.length + 1), Arrays.copyOfRange(b, from, to));
                kind = "duplicated-slice";
            }
            default -> {
                byte[] varint = new byte[11];
                Arrays.fill(varint, (byte) 0x80);
                varint[0] = 0x08;
                varint[10] = 0x01;
                b = splice(b, 0, varint);
                kind = "overlong-varint";
            }
        }
        return protobuf(id, "bytes:" + kind, b);
    }

    /** resource_metrics { scope_metrics { ... } } nested {@code depth} deep through field 1 / field 2 alternately. */
    private static byte[] nested(int depth) {
        byte[] inner = new byte[0];
        for (int i = 0; i < depth; i++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(inner.length + 6);
            out.write((((i & 1) + 1) << 3) | 2);
            int len = inner.length;
            while (len >= 0x80) {
                out.write((len & 0x7F) | 0x80);
                len >>>= 7;
            }
            out.write(len);
            out.writeBytes(inner);
            inner = out.toByteArray();
        }
        return inner;
    }

    private static byte[] splice(byte[] b, int at, byte[] insert) {
        byte[] out = new byte[b.length + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at, out, at + insert.length, b.length - at);
        return out;
    }

    // ---- JSON ------------------------------------------------------------------------------------------------------

    private static Case json(int id, SplittableRandom r) {
        String text;
        try {
            text = PRINTER.print(
                    valid(id, r, r.nextInt(4) == 0 ? "fuzz.ok." : "fuzz.raw.").build());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
        int what = r.nextInt(10);
        String kind;
        byte[] body;
        switch (what) {
            case 0 -> {
                kind = "valid";
                body = utf8(text);
            }
            case 1 -> {
                kind = "truncated";
                body = utf8(text.substring(0, r.nextInt(text.length())));
            }
            case 2 -> {
                kind = "nan-number";
                String[] odd = {
                    "\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "1e999", "-1e999", "NaN", "18446744073709551616"
                };
                body = utf8(text.replaceFirst("\"asDouble\":[^,}]+", "\"asDouble\":" + odd[r.nextInt(odd.length)])
                        .replaceFirst(
                                "\"timeUnixNano\":\"[0-9]+\"",
                                r.nextBoolean()
                                        ? "\"timeUnixNano\":\"-5\""
                                        : "\"timeUnixNano\":\"99999999999999999999999\""));
            }
            case 3 -> {
                kind = "deep-nesting";
                int depth = 1 + r.nextInt(20_000);
                String open = r.nextBoolean() ? "[" : "{\"a\":";
                String close = open.equals("[") ? "]" : "}";
                body = utf8("{\"resourceMetrics\":" + open.repeat(depth) + "1" + close.repeat(depth) + "}");
            }
            case 4 -> {
                kind = "invalid-utf8";
                byte[] t = utf8(text);
                int at = text.indexOf("fuzz.");
                if (at >= 0) {
                    t[at + 1] = (byte) 0xC3;
                    t[at + 2] = (byte) 0x28;
                }
                body = t;
            }
            case 5 -> {
                kind = "duplicate-keys";
                body = utf8(text.replaceFirst("\"key\":\"([^\"]*)\"", "\"key\":\"$1\",\"key\":\"dup\""));
            }
            case 6 -> {
                kind = "wrong-types";
                String[] swaps = {"\"name\":{}", "\"name\":[1,2]", "\"name\":null", "\"name\":true", "\"name\":12"};
                body = utf8(text.replaceFirst("\"name\":\"[^\"]*\"", swaps[r.nextInt(swaps.length)]));
            }
            case 7 -> {
                kind = "bucket-mismatch";
                body = utf8(text.replaceFirst("\"bucketCounts\":\\[[^]]*]", "\"bucketCounts\":[\"1\",\"x\"]"));
            }
            case 8 -> {
                kind = "flipped";
                byte[] t = utf8(text);
                for (int i = 0; i < 3; i++) {
                    t[r.nextInt(t.length)] = (byte) r.nextInt(256);
                }
                body = t;
            }
            default -> {
                kind = "hex-ids";
                body = utf8(text.replaceFirst(
                        "\"attributes\":\\[",
                        "\"exemplars\":[{\"traceId\":\"zz\",\"spanId\":\"" + "a".repeat(r.nextInt(40)) + "\"}],"
                                + "\"attributes\":["));
            }
        }
        return new Case(id, "json:" + kind, JSON, null, body);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---- headers and compression ------------------------------------------------------------------------------

    private static Case transport(int id, SplittableRandom r) {
        byte[] valid = valid(id, r, "fuzz.raw.").build().toByteArray();
        return switch (r.nextInt(6)) {
            case 0 ->
                new Case(id, "transport:content-type", r.nextBoolean() ? "text/plain" : "application/xml", null, valid);
            case 1 -> new Case(id, "transport:encoding", PROTOBUF, r.nextBoolean() ? "br" : "deflate", valid);
            case 2 -> {
                byte[] g = gzip(valid);
                yield new Case(id, "transport:gzip-truncated", PROTOBUF, "gzip", Arrays.copyOf(g, r.nextInt(g.length)));
            }
            case 3 -> new Case(id, "transport:not-gzip", PROTOBUF, "gzip", valid);
            case 4 -> new Case(id, "transport:gzip-bomb", PROTOBUF, "gzip", bomb());
            default -> new Case(id, "transport:empty", r.nextBoolean() ? PROTOBUF : JSON, null, new byte[0]);
        };
    }

    private static volatile byte[] bomb;

    /** 64 MiB of zeros, gzipped (about 64 KiB): past the receiver's body limit once decompressed. */
    private static byte[] bomb() {
        byte[] b = bomb;
        if (b == null) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
                byte[] zeros = new byte[1 << 20];
                for (int i = 0; i < 64; i++) {
                    gz.write(zeros);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            bomb = b = out.toByteArray();
        }
        return b;
    }

    static byte[] gzip(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 2 + 32);
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
