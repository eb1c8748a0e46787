package io.agstorage.core.spool.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agstorage.core.HistogramPoint;
import io.agstorage.core.MetricType;
import io.agstorage.core.internal.Cumulative;
import io.agstorage.core.internal.SeriesRef;
import io.agstorage.core.internal.SeriesRegistry;
import io.agstorage.core.internal.SpoolTarget.Entries;
import io.agstorage.core.spool.internal.SpoolRecords.Decoded;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** {@link SpoolRecords}: what a spool writes to its journal reads back as the same entries; bad bytes are refused. */
class SpoolRecordsTest {

    private static final long T0 = 1_775_000_000_000_000L;

    /** The writing side's series; the reading side interns into its own registry, as a restarted process would. */
    private final SeriesRegistry written = new SeriesRegistry();

    private final SeriesRegistry read = new SeriesRegistry();
    private final Map<Long, SeriesRef> readById = new HashMap<>();
    private final List<long[]> idLookups = new ArrayList<>();

    @Test
    void samplesOfKnownAndNewSeriesComeBackAsTheyWereSpooled() {
        SeriesRef known = written.intern("cpu", Map.of("host", "a"), MetricType.GAUGE, null, null);
        known.resolved(42);
        SeriesRef fresh =
                written.intern("orders", Map.of("venue", "x", "side", "buy"), MetricType.COUNTER, "1", "delta");
        SeriesRef knownWhenRead = read.intern("cpu", Map.of("host", "a"), MetricType.GAUGE, null, null);
        readById.put(42L, knownWhenRead);

        Decoded decoded = roundTrip(
                0, entries(new SeriesRef[] {known, fresh, known}, new double[] {1.5, -2, Double.MAX_VALUE}, null), 3);

        assertThat(decoded.unknownSeries()).isZero();
        Entries e = decoded.entries();
        assertThat(e.size()).isEqualTo(3);
        assertThat(e.series()[0]).isSameAs(knownWhenRead);
        assertThat(e.series()[2]).isSameAs(knownWhenRead);
        SeriesRef defined = e.series()[1];
        assertThat(defined.metric()).isEqualTo("orders");
        assertThat(defined.labels()).containsExactly(Map.entry("side", "buy"), Map.entry("venue", "x"));
        assertThat(defined.type()).isEqualTo(MetricType.COUNTER);
        assertThat(defined.unit()).isEqualTo("1");
        assertThat(defined.temporality()).isEqualTo("delta");
        assertThat(defined.id()).as("a definition carries no id").isZero();
        assertThat(Arrays.copyOf(e.times(), 3)).containsExactly(T0, T0 + 1, T0 + 2);
        assertThat(Arrays.copyOf(e.values(), 3)).containsExactly(1.5, -2, Double.MAX_VALUE);
        assertThat(e.histograms()).as("no histogram, no histogram array").isNull();
        assertThat(idLookups).as("ids are looked up once, in one call").hasSize(1);
        assertThat(idLookups.get(0)).containsExactly(42L);
    }

    @Test
    void aSampleOfAKnownSeriesCostsTwentyFiveBytes() {
        SeriesRef known = written.intern("cpu", Map.of(), MetricType.GAUGE, null, null);
        known.resolved(7);

        byte[] record = SpoolRecords.encode(entries(new SeriesRef[] {known, known}, new double[] {1, 2}, null));

        // [version][int entries], then per entry [flags][long time][long id][double value]
        assertThat(record).hasSize(5 + 2 * 25);
        assertThat(Arrays.copyOf(record, 5)).containsExactly(1, 0, 0, 0, 2);
    }

    @Test
    void explicitAndExponentialHistogramsKeepTheirShape() {
        HistogramPoint explicit = HistogramPoint.explicit(3, 6.5, 0.5, 4, new double[] {1, 5}, new long[] {1, 2, 0});
        HistogramPoint exponential =
                HistogramPoint.exponential(6, 10, -2, 4, 3, 1, -2, new long[] {1, 0, 2}, 5, new long[] {1, 1});
        SeriesRef latency = written.intern("latency", Map.of("op", "fill"), MetricType.HISTOGRAM, "s", "cumulative");
        SeriesRef gauge = written.intern("gauge", Map.of(), MetricType.GAUGE, null, null);

        Decoded decoded = roundTrip(
                0,
                entries(new SeriesRef[] {latency, gauge, latency}, new double[] {0, 9.25, 0}, new HistogramPoint[] {
                    explicit, null, exponential
                }),
                3);

        Entries e = decoded.entries();
        assertThat(e.size()).isEqualTo(3);
        assertThat(e.histograms()).isNotNull();
        assertThat(e.histograms()[0]).usingRecursiveComparison().isEqualTo(explicit);
        assertThat(e.histograms()[0].isExponential()).isFalse();
        assertThat(e.histograms()[1]).as("a sample between histograms").isNull();
        assertThat(e.values()[1]).isEqualTo(9.25);
        assertThat(e.histograms()[2]).usingRecursiveComparison().isEqualTo(exponential);
        assertThat(e.histograms()[2].isExponential()).isTrue();
        assertThat(e.series()[0].type()).isEqualTo(MetricType.HISTOGRAM);
        assertThat(e.series()[0].temporality()).isEqualTo("cumulative");
        assertThat(e.series()[2]).isSameAs(e.series()[0]);
    }

    @Test
    void aRecordSplitOverTwoCommitsIsReadFromItsFirstUncommittedEntry() {
        SeriesRef s = written.intern("split", Map.of(), MetricType.GAUGE, null, null);
        SeriesRef[] series = new SeriesRef[5];
        Arrays.fill(series, s);

        Decoded rest = roundTrip(3, entries(series, new double[] {0, 1, 2, 3, 4}, null), 5);

        assertThat(rest.entries().size()).isEqualTo(2);
        assertThat(Arrays.copyOf(rest.entries().values(), 2)).containsExactly(3, 4);
        assertThat(Arrays.copyOf(rest.entries().times(), 2)).containsExactly(T0 + 3, T0 + 4);
        assertThat(roundTrip(5, entries(series, new double[] {0, 1, 2, 3, 4}, null), 5)
                        .entries()
                        .size())
                .as("from past the last entry: nothing left")
                .isZero();
    }

    @Test
    void entriesOfSeriesIdsTheDatabaseDoesNotHoldAreSkippedAndCounted() {
        SeriesRef gone = written.intern("gone", Map.of(), MetricType.GAUGE, null, null);
        gone.resolved(99);
        SeriesRef fresh = written.intern("fresh", Map.of(), MetricType.GAUGE, null, null);

        Decoded decoded = roundTrip(0, entries(new SeriesRef[] {gone, fresh, gone}, new double[] {1, 2, 3}, null), 3);

        assertThat(decoded.unknownSeries()).isEqualTo(2);
        assertThat(decoded.entries().size()).isEqualTo(1);
        assertThat(decoded.entries().series()[0].metric()).isEqualTo("fresh");
        assertThat(decoded.entries().values()[0]).isEqualTo(2);
    }

    @Test
    void entriesABatchWouldRefuseAreSkippedAsItsAddWould() {
        SeriesRef s = written.intern("s", Map.of(), MetricType.GAUGE, null, null);

        Decoded decoded = roundTrip(0, entries(new SeriesRef[] {s, s, s}, new double[] {1, Double.NaN, 3}, null), 3);

        assertThat(decoded.entries().size()).isEqualTo(2);
        assertThat(Arrays.copyOf(decoded.entries().values(), 2)).containsExactly(1, 3);
        assertThat(decoded.unknownSeries()).isZero();
    }

    @Test
    void aTruncatedRecordIsRefused() {
        SeriesRef s = written.intern("s", Map.of("k", "v"), MetricType.GAUGE, null, null);
        byte[] record = SpoolRecords.encode(entries(new SeriesRef[] {s, s}, new double[] {1, 2}, null));

        byte[] shortRecord = Arrays.copyOf(record, record.length - 3);

        assertThatThrownBy(() -> decode(shortRecord, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("spool record is truncated (" + shortRecord.length + " bytes)");
        assertThatThrownBy(() -> decode(new byte[0], 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("spool record is truncated (0 bytes)");
    }

    @Test
    void aRecordOfAnotherVersionOrWithCorruptFieldsIsRefused() {
        SeriesRef s = written.intern("s", Map.of(), MetricType.GAUGE, null, null);
        byte[] record = SpoolRecords.encode(entries(new SeriesRef[] {s}, new double[] {1}, null));

        byte[] otherVersion = record.clone();
        otherVersion[0] = 9;
        assertThatThrownBy(() -> decode(otherVersion, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("spool record version must be 1 or 2, was 9");

        // [1 version][4 entries][1 flags][8 time][4 metric length][1 "s"] then the type's ordinal
        byte[] badType = record.clone();
        badType[5 + 1 + 8 + 4 + 1] = 100;
        assertThatThrownBy(() -> decode(badType, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("spool record is not of format 1: ");
    }

    @Test
    void cumulativePointsComeBackWithTheirStartTimeAndMonotonicFlag() {
        SeriesRef sum = written.intern("orders", Map.of(), MetricType.COUNTER, null, "delta");
        SeriesRef gauge = written.intern("cpu", Map.of(), MetricType.GAUGE, null, null);
        HistogramPoint h = HistogramPoint.explicit(3, 6, 1, 3, new double[] {2}, new long[] {1, 2});
        Entries plain = entries(
                new SeriesRef[] {sum, gauge, sum}, new double[] {10, 0.5, 0}, new HistogramPoint[] {null, null, h});
        long[] markers = {Cumulative.of(T0 * 1_000, true), Cumulative.NONE, Cumulative.of(T0 * 1_000 + 7, false), 0};
        Entries cumulative =
                new Entries(plain.series(), plain.times(), plain.values(), plain.histograms(), markers, plain.size());

        byte[] record = SpoolRecords.encode(cumulative);
        assertThat(record[0])
                .as("a record with cumulative entries is version 2")
                .isEqualTo((byte) 2);
        Entries e = decode(record, 0).entries();

        assertThat(e.size()).isEqualTo(3);
        assertThat(e.cumulative()).isNotNull();
        assertThat(Cumulative.startNanos(e.cumulative()[0])).isEqualTo(T0 * 1_000);
        assertThat(Cumulative.monotonic(e.cumulative()[0])).isTrue();
        assertThat(e.cumulative()[1]).isEqualTo(Cumulative.NONE);
        assertThat(Cumulative.startNanos(e.cumulative()[2])).isEqualTo(T0 * 1_000 + 7);
        assertThat(Cumulative.monotonic(e.cumulative()[2])).isFalse();
        assertThat(e.values()[0]).isEqualTo(10);
        assertThat(e.histograms()[2].count()).isEqualTo(3);
        assertThat(SpoolRecords.encode(plain)[0])
                .as("without cumulative entries: version 1")
                .isEqualTo((byte) 1);
    }

    @Test
    void aDefinitionBreakingARuleIsRefusedByTheDefiner() {
        SeriesRef s = written.intern("s", Map.of(), MetricType.GAUGE, null, null);
        byte[] record = SpoolRecords.encode(entries(new SeriesRef[] {s}, new double[] {1}, null));

        assertThatThrownBy(() -> SpoolRecords.decode(
                        record,
                        0,
                        (metric, labels, type, unit, temporality) -> {
                            throw new IllegalArgumentException("name refused: " + metric);
                        },
                        ids -> Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("name refused: s");
    }

    private Decoded roundTrip(int from, Entries entries, int expectedEntries) {
        assertThat(entries.size()).isEqualTo(expectedEntries);
        return decode(SpoolRecords.encode(entries), from);
    }

    private Decoded decode(byte[] record, int from) {
        Function<long[], Map<Long, SeriesRef>> byId = ids -> {
            idLookups.add(ids);
            return readById;
        };
        return SpoolRecords.decode(record, from, read::intern, byId);
    }

    /** Entries at T0, T0 + 1, ...; arrays one longer than the entries, as a batch's usually are. */
    private static Entries entries(SeriesRef[] series, double[] values, @Nullable HistogramPoint[] histograms) {
        int n = series.length;
        long[] times = new long[n + 1];
        for (int i = 0; i < n; i++) {
            times[i] = T0 + i;
        }
        return new Entries(
                Arrays.copyOf(series, n + 1),
                times,
                Arrays.copyOf(values, n + 1),
                histograms == null ? null : Arrays.copyOf(histograms, n + 1),
                null,
                n);
    }
}
