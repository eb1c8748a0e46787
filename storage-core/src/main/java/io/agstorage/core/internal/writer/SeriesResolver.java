package io.agstorage.core.internal.writer;

import io.agstorage.core.internal.SeriesRef;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Maps series to database ids in bulk. Series new to this engine ({@link SeriesRef#newToEngine()}) are created by one
 * COPY ({@link SeriesCopy}), unless one of them exists after all (another JVM created it). For the rest, one join reads
 * the ids of the series that exist and were seen recently; only the others (new, or not seen for {@link
 * SeriesRef#REFRESH_NANOS}) are created by COPY when all of them are missing, or else take the {@code INSERT ... ON
 * CONFLICT} path, which creates them or sets {@code seen_at = now()} under the row's lock, and a second join reads
 * their ids back (including series another JVM created concurrently). Retention deletes only series unused for {@code
 * retention.series_grace_hours}, and re-checks {@code seen_at} on a row a resolve just locked, so a series a writer
 * resolves is never deleted under it (see {@code sql/V011__series_seen_at.sql}); a series read as recently seen needs
 * no lock, since retention will not touch it for hours. Rows are locked in one order (metric, then labels), so two
 * writers resolving the same series cannot deadlock each other.
 *
 * <p>Labels travel as one {@code text[]} and are cast to {@code jsonb} row by row: a {@code text[]::jsonb[]} array
 * cast costs about ten times as much per element on PostgreSQL 15.
 */
final class SeriesResolver {

    private static final long REFRESH_MINUTES = TimeUnit.NANOSECONDS.toMinutes(SeriesRef.REFRESH_NANOS);
    private static final Comparator<SeriesRef> LOCK_ORDER =
            Comparator.comparing(SeriesRef::metric).thenComparing(SeriesRef::labelsJson);

    private final String lookupSql;
    private final String insertSql;
    private final @Nullable SeriesCopy copy;

    /**
     * @param useCopy whether new series may be created by COPY: not on the WASM tier, where a COPY kills the server
     */
    SeriesResolver(String quotedSchema, boolean useCopy) {
        this.copy = useCopy ? new SeriesCopy(quotedSchema) : null;
        this.lookupSql = "SELECT u.ord, s.id, s.seen_at >= now() - INTERVAL '" + REFRESH_MINUTES + " minutes' "
                + "FROM unnest(?::text[], ?::text[]) WITH ORDINALITY AS u(metric, labels, ord) JOIN " + quotedSchema
                + ".series s ON s.metric = u.metric AND s.labels = u.labels::jsonb";
        this.insertSql = "INSERT INTO " + quotedSchema + ".series (metric, labels, type, unit, temporality) "
                + "SELECT m, l::jsonb, t, un, tp FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) "
                + "AS u(m, l, t, un, tp) ON CONFLICT (metric, labels) DO UPDATE SET seen_at = now() "
                + "WHERE series.seen_at < now() - INTERVAL '" + REFRESH_MINUTES + " minutes'";
    }

    /**
     * Resolves every series in {@code unsorted} in auto-committed statements. Two references to one series (a series
     * evicted from the registry and interned again while events still carry the old reference) are looked up and
     * inserted once: an {@code ON CONFLICT DO UPDATE} may not touch one row twice.
     */
    void resolve(Connection connection, List<SeriesRef> unsorted) throws SQLException {
        List<SeriesRef> pending = new ArrayList<>(unsorted);
        pending.sort(LOCK_ORDER);
        List<SeriesRef> distinct = new ArrayList<>(pending.size());
        for (int i = 0; i < pending.size(); i++) {
            if (i == 0 || LOCK_ORDER.compare(pending.get(i - 1), pending.get(i)) != 0) {
                distinct.add(pending.get(i));
            }
        }
        List<SeriesRef> known = new ArrayList<>(distinct.size());
        List<SeriesRef> fresh = new ArrayList<>();
        for (SeriesRef ref : distinct) {
            (ref.id() == 0 && ref.newToEngine() ? fresh : known).add(ref);
        }
        if (!fresh.isEmpty() && !copyNew(connection, fresh)) {
            known.addAll(fresh);
            known.sort(LOCK_ORDER);
        }
        if (known.isEmpty()) {
            return;
        }
        boolean[] anyStale = new boolean[1];
        List<SeriesRef> unresolved = lookup(connection, known, anyStale);
        if (!unresolved.isEmpty() && !create(connection, unresolved, !anyStale[0])) {
            lookup(connection, unresolved, null);
        }
        long now = System.nanoTime();
        for (int i = 0; i < pending.size(); i++) {
            SeriesRef ref = pending.get(i);
            if (ref.needsResolve(now)) {
                SeriesRef same = i > 0 ? pending.get(i - 1) : null;
                if (same != null && LOCK_ORDER.compare(same, ref) == 0 && same.id() != 0) {
                    ref.resolved(same.id(), now);
                } else {
                    throw new SQLException(
                            "series " + ref + " has no id after insert; was the series table changed concurrently?",
                            "55000");
                }
            }
        }
    }

    /**
     * Reads the ids of {@code refs}. Returns the references left unresolved, in lock order. With {@code anyStale}, only
     * ids of series seen within the refresh interval count as resolved, and {@code anyStale[0]} tells whether a series
     * left unresolved exists.
     */
    private List<SeriesRef> lookup(Connection connection, List<SeriesRef> refs, boolean @Nullable [] anyStale)
            throws SQLException {
        int n = refs.size();
        String[] metrics = new String[n];
        String[] labels = new String[n];
        for (int i = 0; i < n; i++) {
            metrics[i] = refs.get(i).metric();
            labels[i] = refs.get(i).labelsJson();
        }
        boolean[] found = new boolean[n];
        long now = System.nanoTime();
        try (PreparedStatement select = connection.prepareStatement(lookupSql)) {
            select.setObject(1, metrics);
            select.setObject(2, labels);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    if (anyStale == null || rs.getBoolean(3)) {
                        int i = rs.getInt(1) - 1;
                        refs.get(i).resolved(rs.getLong(2), now);
                        found[i] = true;
                    } else {
                        anyStale[0] = true;
                    }
                }
            }
        }
        List<SeriesRef> missing = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (!found[i]) {
                missing.add(refs.get(i));
            }
        }
        return missing;
    }

    /**
     * Creates the missing series and touches the stale ones: by COPY when all of them are missing (the common case of
     * new series), falling back to {@code INSERT ... ON CONFLICT} when some exist or another writer creates one
     * first. Returns whether every id is known (after a COPY), or has to be read back.
     */
    private boolean create(Connection connection, List<SeriesRef> refs, boolean allMissing) throws SQLException {
        if (allMissing && copyNew(connection, refs)) {
            return true;
        }
        insertOrTouch(connection, refs);
        return false;
    }

    /**
     * Creates series believed missing by COPY; false, creating none, when one of them exists after all or COPY is not
     * used.
     */
    private boolean copyNew(Connection connection, List<SeriesRef> refs) throws SQLException {
        if (copy == null) {
            return false;
        }
        try {
            copy.insert(connection, refs);
            return true;
        } catch (SQLException e) {
            if (!SeriesCopy.UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw e;
            }
            return false;
        }
    }

    private void insertOrTouch(Connection connection, List<SeriesRef> refs) throws SQLException {
        int n = refs.size();
        String[] metrics = new String[n];
        String[] labels = new String[n];
        String[] types = new String[n];
        String[] units = new String[n];
        String[] temporalities = new String[n];
        for (int i = 0; i < n; i++) {
            SeriesRef ref = refs.get(i);
            metrics[i] = ref.metric();
            labels[i] = ref.labelsJson();
            types[i] = ref.type().sqlName();
            units[i] = ref.unit();
            temporalities[i] = ref.temporality();
        }
        try (PreparedStatement insert = connection.prepareStatement(insertSql)) {
            insert.setObject(1, metrics);
            insert.setObject(2, labels);
            insert.setObject(3, types);
            insert.setObject(4, units);
            insert.setObject(5, temporalities);
            insert.executeUpdate();
        }
    }
}
