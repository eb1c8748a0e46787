package io.agstorage.core;

import io.agstorage.core.internal.SeriesRef;
import io.agstorage.core.internal.SeriesRegistry;
import io.agstorage.core.internal.SpoolPosition;
import io.agstorage.core.internal.SpoolTarget;
import io.agstorage.core.json.LabelsJson;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/** A {@link StorageEngine} as its spools see it: spooled records go into its ring, marked with their positions. */
final class EngineSpoolTarget implements SpoolTarget {

    private final StorageEngine engine;
    private final Ingestion ingestion;
    private final SeriesRegistry registry;
    private final DataSource dataSource;
    private final String positionSql;
    private final String seriesSql;

    EngineSpoolTarget(StorageEngine engine, Ingestion ingestion, SeriesRegistry registry) {
        this.engine = engine;
        this.ingestion = ingestion;
        this.registry = registry;
        this.dataSource = engine.dataSource();
        this.positionSql =
                "SELECT sequence, entries FROM " + engine.quotedSchema() + ".spool_watermarks WHERE spool = ?";
        this.seriesSql = "SELECT id, metric, labels::text, type, unit, temporality FROM " + engine.quotedSchema()
                + ".series WHERE id = ANY(?)";
    }

    @Override
    public Entries entries(SampleBatch batch) {
        return new Entries(
                batch.seriesArray(),
                batch.timesArray(),
                batch.valuesArray(),
                batch.histogramsArray(),
                batch.cumulativeArray(),
                batch.size());
    }

    @Override
    public @Nullable CompletableFuture<Long> trySubmitSpooled(
            Entries entries, UUID spool, long sequence, long deadlineNanos) {
        checkSpooled(entries, spool);
        CompletableFuture<Long> committed = new CompletableFuture<>();
        try {
            publish(entries, spool, sequence, 0, committed, deadlineNanos);
        } catch (TimeoutException e) {
            return null;
        }
        return committed;
    }

    @Override
    public CompletableFuture<Long> submitSpooled(Entries entries, UUID spool, long sequence, int firstEntry) {
        checkSpooled(entries, spool);
        CompletableFuture<Long> committed = new CompletableFuture<>();
        try {
            publish(entries, spool, sequence, firstEntry, committed, ingestion.deadline());
        } catch (TimeoutException e) {
            committed.completeExceptionally(ingestion.bufferFull(e));
        }
        return committed;
    }

    private void publish(
            Entries entries,
            UUID spool,
            long sequence,
            int firstEntry,
            CompletableFuture<Long> committed,
            long deadlineNanos)
            throws TimeoutException {
        ingestion
                .pipeline()
                .publishSpooled(
                        entries.series(),
                        entries.times(),
                        entries.values(),
                        entries.histograms(),
                        entries.cumulative(),
                        entries.size(),
                        spool,
                        sequence,
                        firstEntry,
                        committed,
                        deadlineNanos);
    }

    private void checkSpooled(Entries entries, UUID spool) {
        Objects.requireNonNull(entries, "entries");
        Objects.requireNonNull(spool, "spool");
        if (entries.size() == 0) {
            throw new IllegalArgumentException("a spooled record must hold at least one point, was empty");
        }
        engine.checkOpen();
    }

    @Override
    public SpoolPosition spoolPosition(UUID spool) {
        Objects.requireNonNull(spool, "spool");
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(positionSql)) {
            ps.setObject(1, spool);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new SpoolPosition(rs.getLong(1), rs.getInt(2)) : SpoolPosition.NONE;
            }
        } catch (SQLException e) {
            throw new StorageException("reading the position of spool " + spool + ": " + e.getMessage(), e);
        }
    }

    @Override
    public SeriesRef series(
            String metric,
            Map<String, String> labels,
            MetricType type,
            @Nullable String unit,
            @Nullable String temporality) {
        return engine.series(metric, labels, type, unit, temporality).ref();
    }

    @Override
    public Map<Long, SeriesRef> seriesByIds(long[] ids) {
        Map<Long, SeriesRef> found = new HashMap<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(seriesSql)) {
            ps.setArray(1, c.createArrayOf("bigint", Arrays.stream(ids).boxed().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long id = rs.getLong(1);
                    SeriesRef ref = registry.internExisting(
                            rs.getString(2),
                            LabelsJson.parse(rs.getString(3)),
                            MetricType.valueOf(rs.getString(4).toUpperCase(Locale.ROOT)),
                            rs.getString(5),
                            rs.getString(6));
                    if (ref.id() == 0) {
                        // read by id, not resolved: due for a resolve (which moves seen_at) before it is written
                        ref.resolved(id, System.nanoTime() - SeriesRef.REFRESH_NANOS - 1);
                    }
                    found.put(id, ref);
                }
            }
        } catch (SQLException e) {
            throw new StorageException("reading series " + ids.length + " ids: " + e.getMessage(), e);
        }
        return found;
    }
}
