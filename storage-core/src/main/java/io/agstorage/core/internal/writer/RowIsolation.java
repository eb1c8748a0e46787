package io.agstorage.core.internal.writer;

import io.agstorage.core.DeadLetters;
import io.agstorage.core.ErrorPolicy;
import io.agstorage.core.HistogramPoint;
import io.agstorage.core.internal.SeriesRef;
import io.agstorage.core.internal.SpoolPosition;
import io.agstorage.core.json.LabelsJson;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Instant;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a batch the database refused because of its data ({@link ErrorPolicy.Verdict#DATA}) without the rows that
 * caused it: in one transaction, each part of the batch under a savepoint, a refused part split in two until the
 * refused rows are single; those go to {@code dead_letters} ({@link DeadLetters}), the rest to their tables, and the
 * batch's marker and spool positions move with them. A series the database refuses to create takes its rows to
 * {@code dead_letters} too. Any other failure propagates: the caller retries the whole batch.
 */
final class RowIsolation {

    private static final Logger log = LoggerFactory.getLogger(RowIsolation.class);

    /** What became of an isolated batch. */
    record Outcome(boolean alreadyCommitted, int deadSamples, int deadHistograms) {
        int dead() {
            return deadSamples + deadHistograms;
        }
    }

    private final DataSource dataSource;
    private final SeriesResolver resolver;
    private final InsertSampleWriter samples;
    private final HistogramWriter histograms;
    private final CumulativeDeltas cumulative;
    private final SpoolWatermarkWriter watermarks;
    private final @Nullable BatchMarkers markers;
    private final DeadLetters deadLetters;
    private int deadSamples;
    private int deadHistograms;

    RowIsolation(DataSource dataSource, String quotedSchema, @Nullable BatchMarkers markers) {
        this.dataSource = dataSource;
        // one row at a time: a COPY per series would buy nothing here
        this.resolver = new SeriesResolver(quotedSchema, false);
        this.samples = new InsertSampleWriter(quotedSchema);
        this.histograms = new HistogramWriter(quotedSchema);
        this.cumulative = new CumulativeDeltas(quotedSchema);
        this.watermarks = new SpoolWatermarkWriter(quotedSchema);
        this.markers = markers;
        this.deadLetters = new DeadLetters(quotedSchema);
    }

    /** Writes the batch, dead-lettering the rows refused for their data; commits. */
    Outcome write(PendingBatch batch, Map<UUID, SpoolPosition> positions, long batchId) throws SQLException {
        deadSamples = 0;
        deadHistograms = 0;
        Map<SeriesRef, SQLException> unresolvable = resolveOneByOne(batch);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (markers != null && batchId > 0 && !markers.claim(c, batchId)
                        || !positions.isEmpty() && !watermarks.advance(c, positions)) {
                    c.rollback();
                    return new Outcome(true, 0, 0);
                }
                int n = batch.size();
                for (int i = 0; i < n; i++) {
                    SQLException refused = unresolvable.get(series(batch, i));
                    if (refused != null) {
                        deadLetter(c, batch, i, refused);
                    }
                }
                writeRange(c, batch, 0, n, unresolvable);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
        return new Outcome(false, deadSamples, deadHistograms);
    }

    /** Resolves the batch's new series one at a time; those refused for their data are returned with the refusal. */
    private Map<SeriesRef, SQLException> resolveOneByOne(PendingBatch batch) throws SQLException {
        Map<SeriesRef, SQLException> refused = new IdentityHashMap<>();
        List<SeriesRef> unresolved = batch.unresolvedSeries();
        if (unresolved.isEmpty()) {
            return refused;
        }
        try (Connection c = dataSource.getConnection()) {
            for (SeriesRef ref : unresolved) {
                try {
                    resolver.resolve(c, List.of(ref));
                } catch (SQLException e) {
                    if (!ErrorPolicy.isDataError(e)) {
                        throw e;
                    }
                    refused.put(ref, e);
                }
            }
        }
        return refused;
    }

    /** Writes entries {@code [lo, hi)} under a savepoint, splitting a part refused for its data. */
    private void writeRange(Connection c, PendingBatch batch, int lo, int hi, Map<SeriesRef, SQLException> skip)
            throws SQLException {
        PendingBatch part = new PendingBatch(hi - lo);
        for (int i = lo; i < hi; i++) {
            if (!skip.containsKey(series(batch, i))) {
                copy(batch, i, part);
            }
        }
        if (part.isEmpty()) {
            return;
        }
        Savepoint savepoint = c.setSavepoint();
        try {
            writePart(c, part);
            c.releaseSavepoint(savepoint);
        } catch (SQLException e) {
            c.rollback(savepoint);
            if (!ErrorPolicy.isDataError(e)) {
                throw e;
            }
            if (hi - lo == 1) {
                deadLetter(c, batch, lo, e);
                return;
            }
            int mid = (lo + hi) >>> 1;
            writeRange(c, batch, lo, mid, skip);
            writeRange(c, batch, mid, hi, skip);
        }
    }

    private void writePart(Connection c, PendingBatch part) throws SQLException {
        if (part.sampleCount > 0) {
            samples.append(c, part.sampleTimes, part.sampleIds(0), part.sampleValues, 0, part.sampleCount);
        }
        if (part.histogramCount > 0) {
            histograms.write(c, part.histogramTimes, part.histogramIds(), part.histograms, part.histogramCount);
        }
        if (part.cumulativeCount > 0) {
            cumulative.compute(c, part);
            try {
                if (cumulative.sampleCount > 0) {
                    samples.append(
                            c,
                            cumulative.sampleTimes,
                            cumulative.sampleIds,
                            cumulative.sampleValues,
                            0,
                            cumulative.sampleCount);
                }
                if (cumulative.histogramCount > 0) {
                    histograms.write(
                            c,
                            cumulative.histogramTimes,
                            cumulative.histogramIds,
                            cumulative.histograms,
                            cumulative.histogramCount);
                }
            } finally {
                cumulative.clear();
            }
        }
    }

    /** Entry {@code i} of the batch: samples first, then histograms, then cumulative entries. */
    private static SeriesRef series(PendingBatch b, int i) {
        if (i < b.sampleCount) {
            return b.sampleSeries[i];
        }
        i -= b.sampleCount;
        if (i < b.histogramCount) {
            return b.histogramSeries[i];
        }
        return b.cumulativeSeries[i - b.histogramCount];
    }

    private static void copy(PendingBatch b, int i, PendingBatch into) {
        if (i < b.sampleCount) {
            into.addSample(b.sampleSeries[i], b.sampleTimes[i], b.sampleValues[i]);
            return;
        }
        i -= b.sampleCount;
        if (i < b.histogramCount) {
            into.addHistogram(b.histogramSeries[i], b.histogramTimes[i], b.histograms[i]);
            return;
        }
        i -= b.histogramCount;
        into.addCumulative(
                b.cumulativeSeries[i],
                b.cumulativeTimes[i],
                b.cumulativeMarkers[i],
                b.cumulativeValues[i],
                b.cumulativeHistograms[i]);
    }

    private void deadLetter(Connection c, PendingBatch b, int i, SQLException refused) throws SQLException {
        SeriesRef series = series(b, i);
        StringBuilder json = new StringBuilder(128).append("{\"metric\":");
        LabelsJson.appendString(json, series.metric())
                .append(",\"labels\":")
                .append(series.labelsJson())
                .append(",\"type\":");
        LabelsJson.appendString(json, series.type().sqlName());
        String door;
        long time;
        HistogramPoint histogram = null;
        if (i < b.sampleCount) {
            door = "samples";
            time = b.sampleTimes[i];
            number(json.append(",\"value\":"), b.sampleValues[i]);
            deadSamples++;
        } else if (i - b.sampleCount < b.histogramCount) {
            door = "histograms";
            time = b.histogramTimes[i - b.sampleCount];
            histogram = b.histograms[i - b.sampleCount];
            deadHistograms++;
        } else {
            int k = i - b.sampleCount - b.histogramCount;
            door = "cumulative";
            time = b.cumulativeTimes[k];
            histogram = b.cumulativeHistograms[k];
            json.append(",\"cumulative_marker\":").append(b.cumulativeMarkers[k]);
            if (histogram == null) {
                number(json.append(",\"value\":"), b.cumulativeValues[k]);
                deadSamples++;
            } else {
                deadHistograms++;
            }
        }
        if (histogram != null) {
            json.append(",\"count\":").append(histogram.count());
            number(json.append(",\"sum\":"), histogram.sum());
            LabelsJson.appendString(json.append(",\"histogram\":"), histogram.toString());
        }
        json.append(",\"time_micros\":").append(time).append(",\"time\":");
        LabelsJson.appendString(
                json,
                Instant.ofEpochSecond(Math.floorDiv(time, 1_000_000L), Math.floorMod(time, 1_000_000L) * 1_000L)
                        .toString());
        json.append('}');
        deadLetters.insert(c, door, series.id(), null, json.toString(), refused);
        log.error(
                "The database refused a {} row for good; it is in dead_letters, not in {}: {} -- SQLSTATE {}: {}",
                door,
                door,
                json,
                ErrorPolicy.sqlState(refused),
                refused.getMessage());
    }

    private static void number(StringBuilder json, double v) {
        if (Double.isFinite(v)) {
            json.append(v);
        } else {
            LabelsJson.appendString(json, Double.toString(v));
        }
    }
}
