package io.agstorage.chaos;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/** Reads back what the doors stored, in the run's schema. */
final class StoredRows {

    /** The schema every door of the run writes into. */
    static final String SCHEMA = "chaos";

    private StoredRows() {}

    /** The number of stored samples of {@code metric} per value (the point doors give every point its own value). */
    static Map<Long, Integer> countByValue(Connection db, String metric) throws SQLException {
        Map<Long, Integer> counts = new HashMap<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT s.value, count(*) FROM " + SCHEMA + ".samples s JOIN "
                + SCHEMA + ".series r ON r.id = s.series_id WHERE r.metric = ? GROUP BY s.value")) {
            ps.setString(1, metric);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    counts.merge((long) rs.getDouble(1), rs.getInt(2), Integer::sum);
                }
            }
        }
        return counts;
    }

    /** Per value of the label {@code series} of {@code metric}: the sum of its stored samples. */
    static Map<String, Double> sumBySeries(Connection db, String metric) throws SQLException {
        Map<String, Double> sums = new HashMap<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT r.labels->>'series', sum(s.value) FROM " + SCHEMA
                + ".samples s JOIN " + SCHEMA + ".series r ON r.id = s.series_id WHERE r.metric = ? GROUP BY 1")) {
            ps.setString(1, metric);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sums.put(rs.getString(1), rs.getDouble(2));
                }
            }
        }
        return sums;
    }

    /** The stored samples of {@code metric} as "series@epochMillis=value", with how many rows each. */
    static Map<String, Integer> countByStep(Connection db, String metric) throws SQLException {
        Map<String, Integer> counts = new HashMap<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT r.labels->>'series', "
                + "(extract(epoch FROM s.time) * 1000)::bigint, s.value FROM " + SCHEMA + ".samples s JOIN " + SCHEMA
                + ".series r ON r.id = s.series_id WHERE r.metric = ?")) {
            ps.setString(1, metric);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    double value = rs.getDouble(3);
                    if (value != 0) { // a step without increments: nothing was sent for it
                        counts.merge(stepKey(rs.getString(1), rs.getLong(2), value), 1, Integer::sum);
                    }
                }
            }
        }
        return counts;
    }

    static String stepKey(String series, long epochMillis, double value) {
        return series + "@" + epochMillis + "=" + (long) value;
    }

    /** The stored copies of each key of {@code sql} (one text column: the key, one row per stored copy). */
    static Map<String, Integer> countKeys(Connection db, String sql, String parameter) throws SQLException {
        Map<String, Integer> counts = new HashMap<>();
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            ps.setString(1, parameter);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    counts.merge(rs.getString(1), 1, Integer::sum);
                }
            }
        }
        return counts;
    }
}
