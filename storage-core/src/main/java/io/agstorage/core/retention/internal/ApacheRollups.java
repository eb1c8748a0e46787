package io.agstorage.core.retention.internal;

import io.agstorage.core.Sql;
import io.agstorage.core.retention.RollupDefinition;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Keeps one rollup table up to date on the Apache edition, incrementally. The rollup's watermark (in
 * {@code rollup_watermarks}) is the end of the last complete bucket aggregated; a refresh aggregates from the
 * watermark, or from {@code now - lateWindow} if that is earlier (late data there is re-aggregated), up to the
 * start of the current bucket, one short transaction per {@link #STEP}. Each step upserts only the rows that
 * changed and deletes rows whose source rows are gone, so a refresh with nothing new writes nothing.
 */
public final class ApacheRollups {

    /** How much source time one transaction aggregates. */
    static final Duration STEP = Duration.ofDays(7);

    /** What one refresh did. */
    public record Refresh(
            long rowsWritten,
            @Nullable Instant from,
            @Nullable Instant watermark) {}

    private final DataSource dataSource;
    private final String quotedSchema;
    private final RollupDefinition rollup;
    private final String stepSql;
    private final String readWatermarkSql;
    private final String writeWatermarkSql;
    private final String minTimeSql;
    private final String retainedFromSql;

    public ApacheRollups(DataSource dataSource, String quotedSchema, RollupDefinition rollup) {
        this.dataSource = dataSource;
        this.quotedSchema = quotedSchema;
        this.rollup = rollup;
        String table = quotedSchema + "." + rollup.name();
        String keyMatch = rollup.keys().stream()
                .map(k -> "a." + k.name() + " = x." + k.name())
                .collect(Collectors.joining(" AND "));
        String conflict =
                rollup.keys().stream().map(RollupDefinition.Column::name).collect(Collectors.joining(", "))
                        + ", bucket";
        String set = rollup.values().stream()
                .map(v -> v.name() + " = EXCLUDED." + v.name())
                .collect(Collectors.joining(", "));
        String current = rollup.values().stream().map(v -> "x." + v.name()).collect(Collectors.joining(", "));
        String excluded =
                rollup.values().stream().map(v -> "EXCLUDED." + v.name()).collect(Collectors.joining(", "));
        this.stepSql = "WITH a AS (" + rollup.select(quotedSchema, true) + "), "
                + "up AS (INSERT INTO " + table + " AS x (" + String.join(", ", rollup.columns())
                + ") SELECT * FROM a ORDER BY "
                + conflict + " "
                + "ON CONFLICT (" + conflict + ") DO UPDATE SET " + set + " WHERE (" + current + ") IS DISTINCT FROM ("
                + excluded
                + ") RETURNING 1), "
                + "del AS (DELETE FROM " + table
                + " x WHERE x.bucket >= ? AND x.bucket < ? AND NOT EXISTS (SELECT 1 FROM a WHERE "
                + "a.bucket = x.bucket AND " + keyMatch + ") RETURNING 1) "
                + "SELECT (SELECT count(*) FROM up) + (SELECT count(*) FROM del)";
        this.readWatermarkSql = "SELECT watermark FROM " + quotedSchema + ".rollup_watermarks WHERE rollup = ?";
        this.writeWatermarkSql = "INSERT INTO " + quotedSchema + ".rollup_watermarks (rollup, watermark) VALUES (?, ?) "
                + "ON CONFLICT (rollup) DO UPDATE SET watermark = greatest(rollup_watermarks.watermark, "
                + "EXCLUDED.watermark), updated_at = now()";
        this.minTimeSql =
                "SELECT min(" + rollup.timeExpression() + ") FROM " + String.format(rollup.from(), quotedSchema);
        // Where the source hypertable's oldest chunk starts (null when it has none); false when it is no hypertable.
        this.retainedFromSql = "SELECT EXISTS (SELECT 1 FROM timescaledb_information.hypertables h WHERE "
                + "format('%I.%I', h.hypertable_schema, h.hypertable_name)::regclass = ?::regclass), "
                + "(SELECT min(c.range_start) FROM timescaledb_information.chunks c WHERE "
                + "format('%I.%I', c.hypertable_schema, c.hypertable_name)::regclass = ?::regclass)";
    }

    public RollupDefinition rollup() {
        return rollup;
    }

    /** Brings the rollup up to the start of the current bucket at {@code now}, re-aggregating the late window. */
    public Refresh refresh(Instant now, Duration lateWindow) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            Instant target = floor(now);
            Instant watermark = readWatermark(c);
            Instant from;
            if (watermark == null) {
                Instant min = minTime(c);
                if (min == null) {
                    return new Refresh(0, null, null); // nothing to aggregate yet; start where the data starts
                }
                from = floor(min);
            } else {
                Instant late = floor(target.minus(lateWindow));
                from = watermark.isBefore(late) ? watermark : late;
            }
            return new Refresh(aggregate(c, from, target, true), from, target.isAfter(from) ? target : watermark);
        }
    }

    /**
     * Re-aggregates {@code [from, to)} (widened to whole buckets), e.g. after back-filling data older than the late
     * window; leaves the watermark alone. Clipped to the whole buckets the source still holds: where retention dropped
     * the raw chunks, the rollup is all that is left of the data, and re-aggregating nothing would delete it.
     */
    public long refresh(Instant from, Instant to) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            Instant end = ceil(to);
            Instant start = floor(from);
            Instant retained = retainedFrom(c);
            if (retained.isAfter(start)) {
                start = retained.equals(Instant.MAX) ? end : ceil(retained);
            }
            return start.isBefore(end) ? aggregate(c, start, end, false) : 0;
        }
    }

    /**
     * Where the source's retained data starts, the start of its oldest chunk: {@link Instant#MIN} when the source is
     * no hypertable (nothing to clip), {@link Instant#MAX} when it is one without chunks (nothing left to aggregate).
     */
    private Instant retainedFrom(Connection c) throws SQLException {
        String source = quotedSchema + "." + Sql.quoteIdentifier(rollup.source());
        try (PreparedStatement ps = c.prepareStatement(retainedFromSql)) {
            ps.setString(1, source);
            ps.setString(2, source);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return Instant.MIN;
                }
                OffsetDateTime t = rs.getObject(2, OffsetDateTime.class);
                return t == null ? Instant.MAX : t.toInstant();
            }
        }
    }

    /** The start of the first bucket at or after {@code t}. */
    private Instant ceil(Instant t) {
        Instant f = floor(t);
        return f.equals(t) ? t : f.plus(rollup.grain());
    }

    private long aggregate(Connection c, Instant from, Instant to, boolean advanceWatermark) throws SQLException {
        long written = 0;
        Instant a = from;
        while (a.isBefore(to)) {
            Instant b = a.plus(STEP).isBefore(to) ? a.plus(STEP) : to;
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement(stepSql)) {
                    ps.setObject(1, utc(a));
                    ps.setObject(2, utc(b));
                    ps.setObject(3, utc(a));
                    ps.setObject(4, utc(b));
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        written += rs.getLong(1);
                    }
                }
                if (advanceWatermark) {
                    try (PreparedStatement ps = c.prepareStatement(writeWatermarkSql)) {
                        ps.setString(1, rollup.name());
                        ps.setObject(2, utc(b));
                        ps.executeUpdate();
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
            a = b;
        }
        return written;
    }

    private @Nullable Instant readWatermark(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(readWatermarkSql)) {
            ps.setString(1, rollup.name());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getObject(1, OffsetDateTime.class).toInstant() : null;
            }
        }
    }

    private @Nullable Instant minTime(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(minTimeSql);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            OffsetDateTime t = rs.getObject(1, OffsetDateTime.class);
            return t == null ? null : t.toInstant();
        }
    }

    /** The start of the bucket holding {@code t} (hour and day buckets are aligned to the epoch, as time_bucket's). */
    Instant floor(Instant t) {
        long grain = rollup.grainMicros();
        long micros = t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
        long floored = Math.floorDiv(micros, grain) * grain;
        return Instant.ofEpochSecond(Math.floorDiv(floored, 1_000_000L), Math.floorMod(floored, 1_000_000L) * 1_000L);
    }

    private static OffsetDateTime utc(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }

    @Override
    public String toString() {
        return "ApacheRollups[" + quotedSchema + "." + rollup.name() + "]";
    }
}
