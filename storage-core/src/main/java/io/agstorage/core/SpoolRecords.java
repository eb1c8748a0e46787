package io.agstorage.core;

import io.agstorage.core.internal.SeriesRef;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The bytes of one spooled {@link SampleBatch}. A series the database already knows is written as its id (8 bytes),
 * any other as its definition (metric, type, unit, temporality, labels), so a repeated export costs about 25 bytes a
 * sample. Format {@code [byte version=1][int entries]}, then per entry {@code [byte flags][long epochMicros]}, the
 * series ({@code [long id]} or the definition), and {@code [double value]} or the histogram's fields.
 */
final class SpoolRecords {

    private static final byte VERSION = 1;
    private static final int HISTOGRAM = 1;
    private static final int DEFINED = 2;
    private static final MetricType[] TYPES = MetricType.values();

    private SpoolRecords() {}

    static byte[] encode(SampleBatch batch) {
        SeriesRef[] series = batch.seriesArray();
        long[] times = batch.timesArray();
        double[] values = batch.valuesArray();
        @Nullable HistogramPoint[] histograms = batch.histogramsArray();
        int n = batch.size();
        Writer out = new Writer(5 + n * 25);
        out.buffer.put(VERSION).putInt(n);
        for (int i = 0; i < n; i++) {
            SeriesRef ref = series[i];
            HistogramPoint h = histograms != null ? histograms[i] : null;
            long id = ref.id();
            out.ensure(17);
            out.buffer
                    .put((byte) ((h != null ? HISTOGRAM : 0) | (id == 0 ? DEFINED : 0)))
                    .putLong(times[i]);
            if (id != 0) {
                out.buffer.putLong(id);
            } else {
                out.definition(ref);
            }
            if (h == null) {
                out.ensure(8);
                out.buffer.putDouble(values[i]);
            } else {
                out.histogram(h);
            }
        }
        return out.bytes();
    }

    /** A decoded record: its entries as a batch, and how many were skipped because their series id is unknown. */
    record Decoded(SampleBatch batch, long unknownSeries) {}

    /**
     * The entries of a record from entry {@code from} on, as a batch of {@code engine}'s series; {@code byId} finds
     * the series of ids (absent for an id the database does not hold: that entry is skipped and counted).
     *
     * @throws IllegalArgumentException when the bytes are not a record of this format
     */
    static Decoded decode(
            byte[] record, int from, StorageEngine engine, Function<long[], Map<Long, MetricSeries>> byId) {
        ByteBuffer in = ByteBuffer.wrap(record);
        try {
            byte version = in.get();
            if (version != VERSION) {
                throw new IllegalArgumentException("spool record version must be " + VERSION + ", was " + version);
            }
            int n = in.getInt();
            List<Object[]> entries = new ArrayList<>(n);
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int flags = in.get();
                long time = in.getLong();
                Object series;
                if ((flags & DEFINED) != 0) {
                    series = readDefinition(in, engine);
                } else {
                    long id = in.getLong();
                    ids.add(id);
                    series = id;
                }
                Object value = (flags & HISTOGRAM) != 0 ? readHistogram(in) : (Object) in.getDouble();
                if (i >= from) {
                    entries.add(new Object[] {series, time, value});
                }
            }
            Map<Long, MetricSeries> known = ids.isEmpty()
                    ? Map.of()
                    : byId.apply(
                            ids.stream().mapToLong(Long::longValue).distinct().toArray());
            SampleBatch batch = new SampleBatch(entries.size());
            long unknown = 0;
            for (Object[] e : entries) {
                MetricSeries s = e[0] instanceof Long id ? known.get(id) : (MetricSeries) e[0];
                if (s == null) {
                    unknown++;
                } else if (e[2] instanceof HistogramPoint h) {
                    batch.addHistogram(s, (Long) e[1], h);
                } else {
                    batch.add(s, (Long) e[1], (Double) e[2]);
                }
            }
            return new Decoded(batch, unknown);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("spool record is truncated (" + record.length + " bytes)", e);
        } catch (IndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new IllegalArgumentException("spool record is not of format " + VERSION + ": " + e, e);
        }
    }

    private static MetricSeries readDefinition(ByteBuffer in, StorageEngine engine) {
        String metric = readString(in);
        MetricType type = TYPES[in.get()]; // out of range: IndexOutOfBoundsException, reported by decode
        String unit = readNullableString(in);
        String temporality = readNullableString(in);
        int labelCount = in.getInt();
        Map<String, String> labels = new TreeMap<>();
        for (int j = 0; j < labelCount; j++) {
            labels.put(readString(in), readString(in));
        }
        return engine.series(metric, labels, type, unit, temporality);
    }

    private static HistogramPoint readHistogram(ByteBuffer in) {
        boolean exponential = in.get() != 0;
        long count = in.getLong();
        double sum = in.getDouble();
        double min = in.getDouble();
        double max = in.getDouble();
        if (!exponential) {
            return HistogramPoint.explicit(count, sum, min, max, readDoubles(in), readLongs(in));
        }
        int scale = in.getInt();
        long zeroCount = in.getLong();
        int positiveOffset = in.getInt();
        long[] positive = readLongs(in);
        int negativeOffset = in.getInt();
        long[] negative = readLongs(in);
        return HistogramPoint.exponential(
                count, sum, min, max, scale, zeroCount, positiveOffset, positive, negativeOffset, negative);
    }

    private static String readString(ByteBuffer in) {
        byte[] bytes = new byte[in.getInt()];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static @Nullable String readNullableString(ByteBuffer in) {
        return in.get() == 0 ? null : readString(in);
    }

    private static double[] readDoubles(ByteBuffer in) {
        double[] a = new double[in.getInt()];
        for (int i = 0; i < a.length; i++) {
            a[i] = in.getDouble();
        }
        return a;
    }

    private static long[] readLongs(ByteBuffer in) {
        long[] a = new long[in.getInt()];
        for (int i = 0; i < a.length; i++) {
            a[i] = in.getLong();
        }
        return a;
    }

    /** A growing big-endian buffer. */
    private static final class Writer {
        ByteBuffer buffer;

        Writer(int capacity) {
            buffer = ByteBuffer.allocate(capacity);
        }

        void ensure(int bytes) {
            if (buffer.remaining() < bytes) {
                ByteBuffer grown = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + bytes));
                buffer.flip();
                grown.put(buffer);
                buffer = grown;
            }
        }

        void definition(SeriesRef ref) {
            string(ref.metric());
            ensure(1);
            buffer.put((byte) ref.type().ordinal());
            nullableString(ref.unit());
            nullableString(ref.temporality());
            ensure(4);
            buffer.putInt(ref.labels().size());
            for (Map.Entry<String, String> e : ref.labels().entrySet()) {
                string(e.getKey());
                string(e.getValue());
            }
        }

        void histogram(HistogramPoint h) {
            ensure(33);
            buffer.put((byte) (h.isExponential() ? 1 : 0))
                    .putLong(h.count())
                    .putDouble(h.sum())
                    .putDouble(h.min())
                    .putDouble(h.max());
            if (!h.isExponential()) {
                doubles(h.bucketBounds());
                longs(h.bucketCounts());
                return;
            }
            ensure(16);
            buffer.putInt(h.scale()).putLong(h.zeroCount()).putInt(h.positiveOffset());
            longs(h.positiveCounts());
            ensure(4);
            buffer.putInt(h.negativeOffset());
            longs(h.negativeCounts());
        }

        void string(String s) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            ensure(4 + bytes.length);
            buffer.putInt(bytes.length).put(bytes);
        }

        void nullableString(@Nullable String s) {
            ensure(1);
            buffer.put((byte) (s == null ? 0 : 1));
            if (s != null) {
                string(s);
            }
        }

        void doubles(double[] a) {
            ensure(4 + 8 * a.length);
            buffer.putInt(a.length);
            for (double d : a) {
                buffer.putDouble(d);
            }
        }

        void longs(long[] a) {
            ensure(4 + 8 * a.length);
            buffer.putInt(a.length);
            for (long l : a) {
                buffer.putLong(l);
            }
        }

        byte[] bytes() {
            byte[] out = new byte[buffer.position()];
            buffer.flip().get(out);
            return out;
        }
    }
}
