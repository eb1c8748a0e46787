package io.agstorage.core.retention;

import io.agstorage.core.Sql;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A hypertable a {@link RetentionContributor} hands to retention: chunks entirely older than the days of its
 * {@link RetentionSetting} are dropped (a native retention policy on the TSL tier, {@code drop_chunks} on the Apache
 * edition), and, when it has a {@link Compression}, chunks older than {@code retention.compression_after_days} are
 * compressed on the TSL tier. Nothing happens to a table that does not exist in the schema.
 *
 * @param name the hypertable, in the engine's schema ({@code [a-z_][a-z0-9_]*})
 * @param retention the setting that decides how long its rows are kept
 * @param compression how to compress it natively, or null to leave it uncompressed
 */
public record RetainedTable(
        String name, RetentionSetting retention, @Nullable Compression compression) {

    /**
     * Native compression settings (TSL tier only).
     *
     * @param segmentBy the {@code compress_segmentby} column
     * @param orderBy the {@code compress_orderby} column, ordered newest first ({@code DESC})
     */
    public record Compression(String segmentBy, String orderBy) {
        public Compression {
            Sql.quoteIdentifier(Objects.requireNonNull(segmentBy, "segmentBy"));
            Sql.quoteIdentifier(Objects.requireNonNull(orderBy, "orderBy"));
        }
    }

    /** @throws IllegalArgumentException when a name is not a plain lower-case SQL identifier */
    public RetainedTable {
        Sql.quoteIdentifier(Objects.requireNonNull(name, "name"));
        Objects.requireNonNull(retention, "retention");
    }

    /** A hypertable kept for {@code retention}'s days and never compressed. */
    public static RetainedTable of(String name, RetentionSetting retention) {
        return new RetainedTable(name, retention, null);
    }

    /** A hypertable kept for {@code retention}'s days and compressed, segmented by {@code segmentBy}. */
    public static RetainedTable compressed(
            String name, RetentionSetting retention, String segmentBy, String timeColumn) {
        return new RetainedTable(name, retention, new Compression(segmentBy, timeColumn));
    }
}
