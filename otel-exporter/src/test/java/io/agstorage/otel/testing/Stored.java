package io.agstorage.otel.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.testing.DatabaseExtension;
import io.agstorage.core.testing.TestDatabase;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reads what a test stored, straight from the tables. */
public final class Stored {

    private final TestDatabase db;
    private final String schema;

    public Stored(TestDatabase db, String schema) {
        this.db = db;
        this.schema = schema;
    }

    /** What a test stored in its fixture's schema. */
    public Stored(DatabaseExtension db) {
        this(db.database(), db.schema());
    }

    /** One text value of a query with bound string parameters ("" when no row). */
    public String query(String sql, Object... params) {
        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement(sql.replace("$S", "\"" + schema + "\""))) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? String.valueOf(rs.getString(1)) : "";
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** Every row of a query, columns joined by " | ". */
    public List<String> rows(String sql, Object... params) {
        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement(sql.replace("$S", "\"" + schema + "\""))) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            List<String> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    StringBuilder sb = new StringBuilder();
                    for (int i = 1; i <= n; i++) {
                        if (i > 1) {
                            sb.append(" | ");
                        }
                        Object o = rs.getObject(i);
                        sb.append(
                                o instanceof Array a
                                        ? Arrays.deepToString((Object[]) a.getArray())
                                        : String.valueOf(o));
                    }
                    rows.add(sb.toString());
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** Sum of the samples of {@code metric} with label venue = {@code venue}. */
    public double sum(String metric, String venue) {
        return Double.parseDouble(query(
                "SELECT coalesce(sum(s.value), 'NaN') FROM $S.samples s JOIN $S.series r ON r.id = s.series_id "
                        + "WHERE r.metric = ? AND r.labels->>'venue' = ?",
                metric,
                venue));
    }

    /** The latest sample of {@code metric} with label venue = {@code venue}. */
    public double last(String metric, String venue) {
        return Double.parseDouble(query(
                "SELECT s.value FROM $S.samples s JOIN $S.series r ON r.id = s.series_id "
                        + "WHERE r.metric = ? AND r.labels->>'venue' = ? ORDER BY s.time DESC LIMIT 1",
                metric,
                venue));
    }

    public String series(String metric, String venue) {
        return query(
                "SELECT type || ' ' || coalesce(unit, '-') || ' ' || coalesce(temporality, '-') FROM $S.series "
                        + "WHERE metric = ? AND labels->>'venue' = ?",
                metric,
                venue);
    }

    public String label(String metric, String key) {
        return query("SELECT labels->>? FROM $S.series WHERE metric = ? LIMIT 1", key, metric);
    }

    public long count(String table) {
        return Long.parseLong(query("SELECT count(*) FROM $S." + table));
    }

    /**
     * Per-bucket totals over every stored histogram row of an explicit-bucket series: "[count, sum, {bounds},
     * {counts}]".
     */
    public String explicitTotals(String metric) {
        return query(
                "SELECT sum(h.count) || ' ' || sum(h.sum) || ' ' || min(h.bucket_bounds::text) || ' ' || "
                        + "(SELECT array_agg(t ORDER BY i)::text FROM (SELECT i, sum(c) t FROM $S.histograms h2 "
                        + "CROSS JOIN unnest(h2.bucket_counts) WITH ORDINALITY u(c, i) WHERE h2.series_id = r.id "
                        + "GROUP BY i) x) "
                        + "FROM $S.histograms h JOIN $S.series r ON r.id = h.series_id WHERE r.metric = ? GROUP BY "
                        + "r.id",
                metric);
    }

    /**
     * Every series, sample and histogram row (but the SDK's timing self-metrics {@code otel.sdk.*}), without times, in
     * a stable order: two clients storing the same data compare equal.
     */
    public List<String> everything() {
        List<String> all = new ArrayList<>();
        all.addAll(rows("SELECT metric, labels::text, type, unit, temporality FROM $S.series WHERE metric NOT LIKE "
                + "'otel.sdk.%' ORDER BY metric, labels::text"));
        all.addAll(rows(
                "SELECT r.metric, r.labels::text, s.value FROM $S.samples s JOIN $S.series r ON r.id = s.series_id "
                        + "WHERE r.metric NOT LIKE 'otel.sdk.%' ORDER BY r.metric, r.labels::text, s.time"));
        all.addAll(rows("SELECT r.metric, r.labels::text, h.count, h.sum, h.min, h.max, h.bucket_bounds, "
                + "h.bucket_counts, h.scale, "
                + "h.zero_count, h.positive_offset, h.positive_counts, h.negative_offset, "
                + "h.negative_counts FROM $S.histograms h "
                + "JOIN $S.series r ON r.id = h.series_id WHERE r.metric NOT LIKE 'otel.sdk.%' ORDER "
                + "BY r.metric, r.labels::text, h.time"));
        return all;
    }

    /** What {@link Scenario#first()} (and {@link Scenario#second()} when {@code both}) must have stored. */
    public void assertScenario(boolean both) {
        assertThat(series("orders.placed", "a")).isEqualTo("counter {order} delta");
        assertThat(sum("orders.placed", "a")).isEqualTo(both ? 13.0 : 3.0);
        assertThat(sum("orders.placed", "b")).isEqualTo(4.0);
        assertThat(series("volume.usd", "a")).isEqualTo("counter USD delta");
        assertThat(sum("volume.usd", "a")).isEqualTo(both ? 3.75 : 1.5);
        assertThat(series("orders.open", "a")).isEqualTo("up_down_counter - delta");
        assertThat(sum("orders.open", "a")).isEqualTo(both ? 3.0 : 5.0);
        assertThat(sum("exposure.usd", "a")).isEqualTo(both ? 50.25 : 100.25);
        assertThat(series("spread.bps", "a")).isEqualTo("gauge - -");
        assertThat(last("spread.bps", "a")).isEqualTo(both ? 3.0 : 2.5);
        assertThat(last("queue.depth", "a")).isEqualTo(both ? 9.0 : 7.0);
        assertThat(series("fill.latency", "a")).isEqualTo("histogram ms delta");
        assertThat(explicitTotals("fill.latency"))
                .isEqualTo(both ? "6 37.5 {1,5,10} {1,3,1,1}" : "5 33.5 {1,5,10} {1,2,1,1}");
        assertThat(rows("SELECT h.count, h.sum, h.min, h.max FROM $S.histograms h JOIN $S.series r ON r.id = "
                        + "h.series_id WHERE r.metric = 'fill.latency' ORDER BY h.time LIMIT 1"))
                .containsExactly("5 | 33.5 | 0.5 | 20.0");
        // order.size, an exponential histogram: 1, 2 and 4 at scale 6 fall in buckets -1, 63 and 127.
        List<String> size =
                rows("SELECT h.count, h.sum, h.scale, h.zero_count, h.positive_offset, cardinality(h.positive_counts), "
                        + "h.positive_counts[1], h.positive_counts[65], h.positive_counts[129], (SELECT sum(c) FROM "
                        + "unnest(h.positive_counts) c), "
                        + "cardinality(h.negative_counts) FROM $S.histograms h JOIN $S.series r ON r.id = h.series_id "
                        + "WHERE r.metric = 'order.size' AND h.count > 0 ORDER BY h.time");
        assertThat(size.get(0)).isEqualTo("3 | 7.0 | 6 | 0 | -1 | 129 | 1 | 1 | 1 | 3 | 0");
        assertThat(size).hasSize(both ? 2 : 1);
        if (both) {
            assertThat(size.get(1)).startsWith("1 | 2.0 | ");
        }
        assertThat(label("orders.placed", "resource.service.name")).isEqualTo("bot-test");
        assertThat(label("orders.placed", "resource.telemetry.sdk.language")).isEqualTo("java");
        assertThat(label("orders.placed", "scope.name")).isEqualTo("io.agstorage.test");
        assertThat(label("orders.placed", "scope.version")).isEqualTo("1.2.3");
    }
}
