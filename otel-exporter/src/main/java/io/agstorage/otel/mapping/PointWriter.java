package io.agstorage.otel.mapping;

import io.agstorage.core.HistogramPoint;
import io.agstorage.core.MetricSeries;
import io.agstorage.core.MetricType;
import io.agstorage.core.SampleBatch;
import io.agstorage.core.StorageEngine;
import io.agstorage.core.TimeBounds;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Collects the points of one export (from the OTel SDK or from an OTLP request) into a {@link SampleBatch}: finds
 * the series, converts cumulative data to deltas, and counts the points it refuses with the reason. Not
 * thread-safe; one per export.
 *
 * <p>Use: one writer per export; call the point methods, then submit {@link #batch()} to the engine; on success
 * write {@link #exemplars()} with an {@link ExemplarStore}, on failure call {@link #rollback()}. Refused points are
 * counted ({@link #rejected()}, {@link #rejectionMessage()}), never thrown.
 */
public final class PointWriter {

    /** The temporality stored for sums and histograms: always deltas (cumulative data is converted). */
    public static final String DELTA = "delta";

    /** The character that replaced invalid UTF-8 in a repaired request (see {@link #setUtf8Repaired}). */
    private static final char REPLACEMENT = '\uFFFD';

    private static final int MAX_MESSAGES = 3;

    private final StorageEngine engine;
    private final CumulativeState state;
    private final CumulativeState.Undo undo;
    private final SampleBatch batch;
    private final PointLedger ledger;
    private final Claims claims = new Claims();
    private final List<String> messages = new ArrayList<>(MAX_MESSAGES);
    private final List<ExemplarStore.Exemplar> exemplars = new ArrayList<>();
    private long rejected;
    private long skipped;
    private long duplicates;
    private boolean utf8Repaired;

    /** A writer for a small export, into {@code engine}, converting cumulative points with {@code state}. */
    public PointWriter(StorageEngine engine, CumulativeState state) {
        this(engine, state, 10);
    }

    /** {@link #PointWriter(StorageEngine, CumulativeState)} sized for about {@code expectedPoints} points. */
    public PointWriter(StorageEngine engine, CumulativeState state, int expectedPoints) {
        this(engine, state, expectedPoints, PointLedger.NONE);
    }

    /**
     * {@link #PointWriter(StorageEngine, CumulativeState, int)} that claims each gauge and delta point in
     * {@code ledger} first and stores only those no other request holds (see {@link PointLedger}).
     */
    public PointWriter(StorageEngine engine, CumulativeState state, int expectedPoints, PointLedger ledger) {
        this.engine = engine;
        this.state = state;
        this.undo = state.newUndo(expectedPoints);
        this.batch = new SampleBatch(Math.max(16, expectedPoints));
        this.ledger = ledger;
    }

    /** A gauge point; returns its series when the point was stored (for its exemplars), else null. */
    public @Nullable MetricSeries gauge(
            String name, @Nullable String unit, SortedMap<String, String> labels, long timeNanos, double value) {
        MetricSeries series = resolve(name, labels, MetricType.GAUGE, unit, null);
        return series != null && gauge(series, timeNanos, value) ? series : null;
    }

    /** A gauge point of a series already resolved with {@link #resolve}. */
    public boolean gauge(MetricSeries series, long timeNanos, double value) {
        return add(series, timeNanos, value, true);
    }

    /** A sum point; returns its series when the point was stored (for its exemplars), else null. */
    public @Nullable MetricSeries sum(
            String name,
            @Nullable String unit,
            SortedMap<String, String> labels,
            boolean monotonic,
            boolean cumulative,
            long startNanos,
            long timeNanos,
            double value) {
        MetricSeries series = resolve(name, labels, sumType(monotonic), unit, DELTA);
        return series != null && sum(series, monotonic, cumulative, startNanos, timeNanos, value) ? series : null;
    }

    /** The series type of a sum: {@code counter} when monotonic, else {@code up_down_counter}. */
    public static MetricType sumType(boolean monotonic) {
        return monotonic ? MetricType.COUNTER : MetricType.UP_DOWN_COUNTER;
    }

    /** A sum point of a series already resolved with {@link #resolve} (type {@link #sumType}, temporality delta). */
    public boolean sum(
            MetricSeries series, boolean monotonic, boolean cumulative, long startNanos, long timeNanos, double value) {
        return sum(series, null, monotonic, cumulative, startNanos, timeNanos, value);
    }

    /**
     * {@link #sum(MetricSeries, boolean, boolean, long, long, double)} with the series' cumulative-state key built
     * before ({@link CumulativeState#sumKey}), or null to build it here.
     */
    public boolean sum(
            MetricSeries series,
            CumulativeState.@Nullable Key stateKey,
            boolean monotonic,
            boolean cumulative,
            long startNanos,
            long timeNanos,
            double value) {
        String name = series.name();
        if (!checkValue(name, "value", value) || !checkTime(name, timeNanos)) {
            return false;
        }
        double delta = value;
        if (cumulative && state.isInDatabase()) {
            return batch.addCumulative(series, timeNanos / 1_000, startNanos, value, monotonic);
        }
        if (cumulative) {
            delta = state.sumDelta(
                    undo,
                    stateKey != null ? stateKey : CumulativeState.sumKey(name, series.labels()),
                    monotonic,
                    startNanos,
                    timeNanos,
                    value);
            if (Double.isNaN(delta)) {
                skipped++;
                return false;
            }
        }
        return add(series, timeNanos, delta, !cumulative);
    }

    /** A histogram point; returns its series when the point was stored (for its exemplars), else null. */
    public @Nullable MetricSeries histogram(
            String name,
            @Nullable String unit,
            SortedMap<String, String> labels,
            boolean cumulative,
            long startNanos,
            long timeNanos,
            HistogramPoint histogram) {
        MetricSeries series = resolve(name, labels, MetricType.HISTOGRAM, unit, DELTA);
        if (series == null || !checkTime(name, timeNanos)) {
            return null;
        }
        HistogramPoint delta = histogram;
        if (cumulative && state.isInDatabase()) {
            return batch.addCumulativeHistogram(series, timeNanos / 1_000, startNanos, histogram) ? series : null;
        }
        if (!cumulative && !claim(series, timeNanos)) {
            return null;
        }
        if (cumulative) {
            delta = state.histogramDelta(undo, name, series.labels(), startNanos, timeNanos, histogram);
            if (delta == null) {
                skipped++;
                return null;
            }
        }
        batch.addHistogram(series, timeNanos / 1_000, delta);
        return series;
    }

    /**
     * An exemplar of a point just stored in {@code series}; written once the batch is committed. A time of 0 takes
     * the point's time.
     */
    public void exemplar(
            MetricSeries series,
            long pointTimeNanos,
            long timeNanos,
            double value,
            @Nullable String traceId,
            @Nullable String spanId,
            Map<String, String> attributes) {
        if (!Double.isFinite(value)) {
            return;
        }
        long time = timeNanos > 0 && timeNanos / 1_000 <= TimeBounds.MAX_EPOCH_MICROS ? timeNanos : pointTimeNanos;
        exemplars.add(
                new ExemplarStore.Exemplar(series.name(), series.labels(), time, value, traceId, spanId, attributes));
    }

    /** The exemplars of the stored points, to write once {@link #batch()} is committed. */
    public List<ExemplarStore.Exemplar> exemplars() {
        return exemplars;
    }

    /**
     * A summary: a series per quantile ({@code quantile} label), {@code <name>_count} and {@code <name>_sum} counters.
     */
    public void summary(
            String name,
            @Nullable String unit,
            SortedMap<String, String> labels,
            long startNanos,
            long timeNanos,
            long count,
            double sum,
            double[] quantiles,
            double[] values) {
        if (!checkValue(name, "sum", sum) || !checkTime(name, timeNanos)) {
            return;
        }
        for (int i = 0; i < quantiles.length; i++) {
            if (!(quantiles[i] >= 0 && quantiles[i] <= 1)) {
                reject(name, "quantile must be between 0 and 1, was " + quantiles[i]);
                return;
            }
            if (!checkValue(name, "quantile_values[" + i + "].value", values[i])) {
                return;
            }
        }
        for (int i = 0; i < quantiles.length; i++) {
            TreeMap<String, String> withQuantile = new TreeMap<>(labels);
            withQuantile.put(
                    "quantile",
                    BigDecimal.valueOf(quantiles[i]).stripTrailingZeros().toPlainString());
            MetricSeries series = resolve(name, withQuantile, MetricType.SUMMARY, unit, null);
            if (series == null) {
                return;
            }
            add(series, timeNanos, values[i], true);
        }
        sum(name + "_count", null, labels, true, true, startNanos, timeNanos, count);
        sum(name + "_sum", unit, labels, false, true, startNanos, timeNanos, sum);
    }

    /**
     * The request held invalid UTF-8 that was replaced by U+FFFD: refuse the points whose name or labels hold U+FFFD.
     */
    public void setUtf8Repaired(boolean repaired) {
        this.utf8Repaired = repaired;
    }

    /** Whether {@link #setUtf8Repaired} marked this export's request as repaired. */
    public boolean utf8Repaired() {
        return utf8Repaired;
    }

    /**
     * The series of a point, or null (the point counted as refused, with the reason) when its name or labels break a
     * rule.
     */
    public @Nullable MetricSeries resolve(
            String name,
            SortedMap<String, String> labels,
            MetricType type,
            @Nullable String unit,
            @Nullable String temporality) {
        if (utf8Repaired) {
            String bad = invalidUtf8(name, labels);
            if (bad != null) {
                reject(name, bad);
                return null;
            }
        }
        try {
            return engine.series(name, labels, type, unit == null || unit.isEmpty() ? null : unit, temporality);
        } catch (IllegalArgumentException e) {
            reject(name, e.getMessage());
            return null;
        }
    }

    private static @Nullable String invalidUtf8(String name, SortedMap<String, String> labels) {
        if (name.indexOf(REPLACEMENT) >= 0) {
            return "name must be valid UTF-8, was '" + name + "' (invalid bytes shown as U+FFFD)";
        }
        for (var e : labels.entrySet()) {
            if (e.getKey().indexOf(REPLACEMENT) >= 0) {
                return "attribute key must be valid UTF-8, was '" + e.getKey() + "' (invalid bytes shown as U+FFFD)";
            }
            if (e.getValue().indexOf(REPLACEMENT) >= 0) {
                return "attribute value of '" + e.getKey() + "' must be valid UTF-8 (invalid bytes shown as U+FFFD)";
            }
        }
        return null;
    }

    private boolean add(MetricSeries series, long timeNanos, double value, boolean claim) {
        if (checkValue(series.name(), "value", value)
                && checkTime(series.name(), timeNanos)
                && (!claim || claim(series, timeNanos))) {
            return batch.add(series, timeNanos / 1_000, value);
        }
        return false;
    }

    /** Claims a point in the ledger; false (counted as a duplicate) when another request holds it already. */
    private boolean claim(MetricSeries series, long timeNanos) {
        var holder = ledger.claim(series, timeNanos, claims);
        if (holder == null) {
            return true;
        }
        claims.waitFor(holder);
        duplicates++;
        return false;
    }

    private boolean checkValue(String name, String field, double value) {
        if (Double.isFinite(value)) {
            return true;
        }
        reject(name, field + " must be finite, was " + value);
        return false;
    }

    private boolean checkTime(String name, long timeNanos) {
        if (timeNanos > 0 && timeNanos / 1_000 <= TimeBounds.MAX_EPOCH_MICROS) {
            return true;
        }
        reject(
                name,
                "time_unix_nano must be after 1970-01-01T00:00:00Z and before 10000-01-01, was "
                        + Long.toUnsignedString(timeNanos));
        return false;
    }

    /** Counts one refused data point of {@code metric}, keeping the first few reasons. */
    public void reject(String metric, @Nullable String message) {
        rejected++;
        if (messages.size() < MAX_MESSAGES) {
            String shortName = metric.length() <= 64 ? metric : metric.substring(0, 61) + "...";
            messages.add("metric '" + shortName + "': " + message);
        }
    }

    /** The rows of the points stored so far, to submit to the engine. */
    public SampleBatch batch() {
        return batch;
    }

    /** How many points were refused (see {@link #rejectionMessage()}). */
    public long rejected() {
        return rejected;
    }

    /**
     * Cumulative points stored as nothing (first seen after a restart, or a repeated time) by in-memory state; with
     * {@link CumulativeState#inDatabase()} the writer decides that, and this stays 0.
     */
    public long skipped() {
        return skipped;
    }

    /** "N data points rejected: reason; reason; ...", or "" when none were. */
    public String rejectionMessage() {
        if (rejected == 0) {
            return "";
        }
        return rejected + " data point" + (rejected == 1 ? "" : "s") + " rejected: " + String.join("; ", messages)
                + (rejected > messages.size() ? "; ..." : "");
    }

    /** Points not stored because another request holds them already ({@link PointLedger}): a client's retry. */
    public long duplicates() {
        return duplicates;
    }

    /**
     * Completes once every earlier copy of this export's duplicate points is committed; fails when one was not (the
     * client should send them again: they are claimable again by then).
     */
    public CompletableFuture<Void> earlierCopies() {
        return claims.earlierCopies();
    }

    /** The batch is committed (or durably spooled): copies of its points sent later store nothing. */
    public void committed() {
        claims.committed();
    }

    /**
     * Undoes this export's cumulative-state updates and withdraws its ledger claims: call when the batch was not
     * committed.
     */
    public void rollback() {
        undo.rollback();
        ledger.release(claims);
        claims.failed(new IllegalStateException("an earlier copy of these points was not committed"));
    }
}
