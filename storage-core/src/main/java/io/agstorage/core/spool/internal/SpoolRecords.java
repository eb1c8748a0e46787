package io.agstorage.core.spool.internal;

import io.agstorage.core.HistogramPoint;
import io.agstorage.core.MetricType;
import io.agstorage.core.SampleBatch;
import io.agstorage.core.internal.Cumulative;
import io.agstorage.core.internal.PointRules;
import io.agstorage.core.internal.SeriesRef;
import io.agstorage.core.internal.SpoolTarget.Entries;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The bytes of one spooled {@link SampleBatch} (its {@link Entries}). A series the database already knows is written
 * as its id (8 bytes), any other as its definition (metric, type, unit, temporality, labels), so a repeated export
 * costs about 25 bytes a sample. Format {@code [byte version][int entries]}, then per entry
 * {@code [byte flags][long epochMicros]}, the {@link Cumulative} marker {@code [long]} of a cumulative entry (flag 4,
 * version 2 only), the series ({@code [long id]} or the definition), and {@code [double value]} or the histogram's
 * fields. A record without cumulative entries is written as version 1, which earlier versions read.
 */
public final class SpoolRecords {

    private static final byte VERSION = 1;
    private static final byte VERSION_CUMULATIVE = 2;
    private static final int HISTOGRAM = 1;
    private static final int DEFINED = 2;
    private static final int CUMULATIVE = 4;
    private static final MetricType[] TYPES = MetricType.values();

    private SpoolRecords() {}

    /** The record of these entries. */
    public static byte[] encode(Entries entries) {
        SeriesRef[] series = entries.series();
        long[] times = entries.times();
        double[] values = entries.values();
        @Nullable HistogramPoint[] histograms = entries.histograms();
        long[] cumulative = entries.cumulative();
        int n = entries.size();
        boolean anyCumulative = false;
        for (int i = 0; cumulative != null && i < n && !anyCumulative; i++) {
            anyCumulative = cumulative[i] != Cumulative.NONE;
        }
        Writer out = new Writer(5 + n * (anyCumulative ? 33 : 25));
        out.buffer.put(anyCumulative ? VERSION_CUMULATIVE : VERSION).putInt(n);
        for (int i = 0; i < n; i++) {
            SeriesRef ref = series[i];
            HistogramPoint h = histograms != null ? histograms[i] : null;
            long marker = anyCumulative ? cumulative[i] : Cumulative.NONE;
            long id = ref.id();
            out.ensure(25);
            out.buffer
                    .put((byte) ((h != null ? HISTOGRAM : 0)
                            | (id == 0 ? DEFINED : 0)
                            | (marker != Cumulative.NONE ? CUMULATIVE : 0)))
                    .putLong(times[i]);
            if (marker != Cumulative.NONE) {
                out.buffer.putLong(marker);
            }
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

    /** Finds or creates the series of a definition read from a record. */
    @FunctionalInterface
    public interface SeriesDefiner {
        /** @throws IllegalArgumentException when the name or a label breaks a rule */
        SeriesRef define(
                String metric,
                Map<String, String> labels,
                MetricType type,
                @Nullable String unit,
                @Nullable String temporality);
    }

    /** A decoded record: its entries, and how many were skipped because their series id is unknown. */
    public record Decoded(Entries entries, long unknownSeries) {}

    /**
     * The entries of a record from entry {@code from} on: {@code definer} gives the series of definitions, {@code byId}
     * the series of ids (absent for an id the database does not hold: that entry is skipped and counted). Entries a
     * {@link SampleBatch} would refuse (value not finite, time out of range) are skipped too, as its {@code add} would.
     *
     * @throws IllegalArgumentException when the bytes are not a record of this format, or a definition breaks a rule
     */
    public static Decoded decode(
            byte[] record, int from, SeriesDefiner definer, Function<long[], Map<Long, SeriesRef>> byId) {
        ByteBuffer in = ByteBuffer.wrap(record);
        try {
            byte version = in.get();
            if (version != VERSION && version != VERSION_CUMULATIVE) {
                throw new IllegalArgumentException(
                        "spool record version must be " + VERSION + " or " + VERSION_CUMULATIVE + ", was " + version);
            }
            int n = in.getInt();
            List<Object[]> entries = new ArrayList<>(n);
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int flags = in.get();
                long time = in.getLong();
                long marker = Cumulative.NONE;
                if ((flags & CUMULATIVE) != 0) {
                    if (version == VERSION) {
                        throw new IllegalArgumentException(
                                "a version " + VERSION + " spool record has no cumulative entries");
                    }
                    marker = in.getLong();
                }
                Object series;
                if ((flags & DEFINED) != 0) {
                    series = readDefinition(in, definer);
                } else {
                    long id = in.getLong();
                    ids.add(id);
                    series = id;
                }
                Object value = (flags & HISTOGRAM) != 0 ? readHistogram(in) : (Object) in.getDouble();
                if (i >= from) {
                    entries.add(new Object[] {series, time, value, marker});
                }
            }
            Map<Long, SeriesRef> known = ids.isEmpty()
                    ? Map.of()
                    : byId.apply(
                            ids.stream().mapToLong(Long::longValue).distinct().toArray());
            return collect(entries, known);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("spool record is truncated (" + record.length + " bytes)", e);
        } catch (IndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new IllegalArgumentException("spool record is not of format " + VERSION + ": " + e, e);
        }
    }

    private static Decoded collect(List<Object[]> read, Map<Long, SeriesRef> known) {
        int capacity = Math.max(1, read.size());
        SeriesRef[] series = new SeriesRef[capacity];
        long[] times = new long[capacity];
        double[] values = new double[capacity];
        @Nullable HistogramPoint[] histograms = null;
        long[] cumulative = null;
        int size = 0;
        long unknown = 0;
        for (Object[] e : read) {
            SeriesRef s = e[0] instanceof Long id ? known.get(id) : (SeriesRef) e[0];
            long time = (Long) e[1];
            long marker = (Long) e[3];
            boolean storable = e[2] instanceof HistogramPoint
                    ? PointRules.isStorable(0, time)
                    : PointRules.isStorable((Double) e[2], time);
            if (s == null) {
                unknown++;
                continue;
            }
            if (!storable) {
                continue;
            }
            if (e[2] instanceof HistogramPoint h) {
                if (histograms == null) {
                    histograms = new HistogramPoint[capacity];
                }
                histograms[size] = h;
            } else {
                values[size] = (Double) e[2];
            }
            if (marker != Cumulative.NONE && cumulative == null) {
                cumulative = new long[capacity];
                Arrays.fill(cumulative, Cumulative.NONE);
            }
            if (cumulative != null) {
                cumulative[size] = marker;
            }
            series[size] = s;
            times[size++] = time;
        }
        return new Decoded(new Entries(series, times, values, histograms, cumulative, size), unknown);
    }

    /** The bytes of one histogram snapshot (as in a record), for state kept elsewhere ({@code cumulative_state}). */
    public static byte[] encodeHistogram(HistogramPoint histogram) {
        Writer out = new Writer(64);
        out.histogram(histogram);
        return out.bytes();
    }

    /**
     * The histogram of {@link #encodeHistogram} bytes.
     *
     * @throws IllegalArgumentException when the bytes are not such a histogram
     */
    public static HistogramPoint decodeHistogram(byte[] bytes) {
        try {
            return readHistogram(ByteBuffer.wrap(bytes));
        } catch (BufferUnderflowException | IndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new IllegalArgumentException("not an encoded histogram (" + bytes.length + " bytes)", e);
        }
    }

    private static SeriesRef readDefinition(ByteBuffer in, SeriesDefiner definer) {
        String metric = readString(in);
        MetricType type = TYPES[in.get()]; // out of range: IndexOutOfBoundsException, reported by decode
        String unit = readNullableString(in);
        String temporality = readNullableString(in);
        int labelCount = in.getInt();
        Map<String, String> labels = new TreeMap<>();
        for (int j = 0; j < labelCount; j++) {
            labels.put(readString(in), readString(in));
        }
        return definer.define(metric, labels, type, unit, temporality);
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
