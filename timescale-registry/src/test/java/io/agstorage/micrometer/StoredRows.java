package io.agstorage.micrometer;

import io.agstorage.core.StorageEngine;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Reads back what a registry stored, with plain SQL against the engine's schema (values bound, never spliced). */
final class StoredRows {

    record Sample(Instant time, double value, String labels) {}

    record Histogram(Instant time, long count, double sum, double max, List<Double> bounds, List<Long> counts) {}

    record Series(String type, String unit, String temporality) {}

    private final StorageEngine engine;

    StoredRows(StorageEngine engine) {
        this.engine = engine;
    }

    /** Every sample of {@code metric}, oldest first. */
    List<Sample> samples(String metric) {
        String sql = "SELECT s.time, s.value, r.labels::text FROM " + engine.quotedSchema() + ".samples s JOIN "
                + engine.quotedSchema()
                + ".series r ON r.id = s.series_id WHERE r.metric = ? ORDER BY s.time, r.labels::text";
        List<Sample> rows = new ArrayList<>();
        query(
                sql,
                metric,
                rs -> rows.add(new Sample(rs.getTimestamp(1).toInstant(), rs.getDouble(2), rs.getString(3))));
        return rows;
    }

    /** The values of {@code metric}, oldest first. */
    List<Double> values(String metric) {
        return samples(metric).stream().map(Sample::value).toList();
    }

    /** {@code sum(value)} of {@code metric} over all its rows, computed by the database. */
    double sum(String metric) {
        String sql = "SELECT coalesce(sum(s.value), 0) FROM " + engine.quotedSchema() + ".samples s JOIN "
                + engine.quotedSchema() + ".series r ON r.id = s.series_id WHERE r.metric = ?";
        double[] sum = new double[1];
        query(sql, metric, rs -> sum[0] = rs.getDouble(1));
        return sum[0];
    }

    List<Histogram> histograms(String metric) {
        String sql = "SELECT h.time, h.count, h.sum, h.max, h.bucket_bounds, h.bucket_counts FROM "
                + engine.quotedSchema() + ".histograms h JOIN " + engine.quotedSchema()
                + ".series r ON r.id = h.series_id WHERE r.metric = ? ORDER BY h.time";
        List<Histogram> rows = new ArrayList<>();
        query(
                sql,
                metric,
                rs -> rows.add(new Histogram(
                        rs.getTimestamp(1).toInstant(),
                        rs.getLong(2),
                        rs.getDouble(3),
                        rs.getDouble(4),
                        doubles(rs.getArray(5)),
                        longs(rs.getArray(6)))));
        return rows;
    }

    Series series(String metric) {
        String sql = "SELECT type, coalesce(unit, ''), coalesce(temporality, '') FROM " + engine.quotedSchema()
                + ".series WHERE metric = ?";
        List<Series> rows = new ArrayList<>();
        query(sql, metric, rs -> rows.add(new Series(rs.getString(1), rs.getString(2), rs.getString(3))));
        if (rows.size() != 1) {
            throw new AssertionError("expected one series named " + metric + ", found " + rows);
        }
        return rows.get(0);
    }

    long seriesCount(String metric) {
        String sql = "SELECT count(*) FROM " + engine.quotedSchema() + ".series WHERE metric = ?";
        long[] count = new long[1];
        query(sql, metric, rs -> count[0] = rs.getLong(1));
        return count[0];
    }

    private interface RowReader {
        void read(ResultSet rs) throws SQLException;
    }

    private void query(String sql, String metric, RowReader reader) {
        try (Connection c = engine.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, metric);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    reader.read(rs);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    private static List<Double> doubles(Array array) throws SQLException {
        List<Double> out = new ArrayList<>();
        for (Object o : (Object[]) array.getArray()) {
            out.add(((Number) o).doubleValue());
        }
        return out;
    }

    private static List<Long> longs(Array array) throws SQLException {
        List<Long> out = new ArrayList<>();
        for (Object o : (Object[]) array.getArray()) {
            out.add(((Number) o).longValue());
        }
        return out;
    }
}
