package io.agstorage.core.internal.writer;

import io.agstorage.core.internal.SeriesRef;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Maps series to database ids in bulk: one {@code INSERT ... ON CONFLICT} for all of them, then one join to read every
 * id back (including series another JVM created concurrently). An existing series whose {@code seen_at} is older than
 * {@link SeriesRef#REFRESH_NANOS} gets {@code seen_at = now()}, under the row's lock: retention deletes only series
 * unused for {@code retention.series_grace_hours}, and re-checks {@code seen_at} on a row a resolve just locked, so a
 * series a writer resolves is never deleted under it (see {@code sql/V011__series_seen_at.sql}). Rows are locked in
 * one order (metric, then labels), so two writers resolving the same series cannot deadlock each other.
 */
final class SeriesResolver {

    private static final long REFRESH_MINUTES = TimeUnit.NANOSECONDS.toMinutes(SeriesRef.REFRESH_NANOS);
    private static final Comparator<SeriesRef> LOCK_ORDER =
            Comparator.comparing(SeriesRef::metric).thenComparing(SeriesRef::labelsJson);

    private final String insertSql;
    private final String selectSql;

    SeriesResolver(String quotedSchema) {
        this.insertSql = "INSERT INTO " + quotedSchema + ".series (metric, labels, type, unit, temporality) "
                + "SELECT * FROM unnest(?::text[], ?::text[]::jsonb[], ?::text[], ?::text[], ?::text[]) "
                + "ON CONFLICT (metric, labels) DO UPDATE SET seen_at = now() "
                + "WHERE series.seen_at < now() - INTERVAL '" + REFRESH_MINUTES + " minutes'";
        this.selectSql =
                "SELECT u.ord, s.id FROM unnest(?::text[], ?::text[]::jsonb[]) WITH ORDINALITY AS u(metric, labels, "
                        + "ord) JOIN " + quotedSchema + ".series s ON s.metric = u.metric AND s.labels = u.labels";
    }

    /**
     * Resolves every series in {@code unsorted} in an auto-committed transaction. Two references to one series (a
     * series evicted from the registry and interned again while events still carry the old reference) are inserted
     * once: an {@code ON CONFLICT DO UPDATE} may not touch one row twice.
     */
    void resolve(Connection connection, List<SeriesRef> unsorted) throws SQLException {
        List<SeriesRef> pending = new ArrayList<>(unsorted);
        pending.sort(LOCK_ORDER);
        int n = pending.size();
        String[] metrics = new String[n]; // every reference, for the select
        String[] labels = new String[n];
        String[] insertMetrics = new String[n]; // every series once, for the insert
        String[] insertLabels = new String[n];
        String[] types = new String[n];
        String[] units = new String[n];
        String[] temporalities = new String[n];
        int distinct = 0;
        for (int i = 0; i < n; i++) {
            SeriesRef ref = pending.get(i);
            metrics[i] = ref.metric();
            labels[i] = ref.labelsJson();
            if (i == 0 || LOCK_ORDER.compare(pending.get(i - 1), ref) != 0) {
                insertMetrics[distinct] = ref.metric();
                insertLabels[distinct] = ref.labelsJson();
                types[distinct] = ref.type().sqlName();
                units[distinct] = ref.unit();
                temporalities[distinct] = ref.temporality();
                distinct++;
            }
        }
        try (PreparedStatement insert = connection.prepareStatement(insertSql)) {
            insert.setObject(1, Arrays.copyOf(insertMetrics, distinct));
            insert.setObject(2, Arrays.copyOf(insertLabels, distinct));
            insert.setObject(3, Arrays.copyOf(types, distinct));
            insert.setObject(4, Arrays.copyOf(units, distinct));
            insert.setObject(5, Arrays.copyOf(temporalities, distinct));
            insert.executeUpdate();
        }
        try (PreparedStatement select = connection.prepareStatement(selectSql)) {
            select.setObject(1, metrics);
            select.setObject(2, labels);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    pending.get(rs.getInt(1) - 1).resolved(rs.getLong(2));
                }
            }
        }
        long now = System.nanoTime();
        for (SeriesRef ref : pending) {
            if (ref.needsResolve(now)) {
                throw new SQLException(
                        "series " + ref + " has no id after insert; was the series table changed concurrently?",
                        "55000");
            }
        }
    }
}
