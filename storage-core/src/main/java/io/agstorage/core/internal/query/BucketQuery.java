package io.agstorage.core.internal.query;

import io.agstorage.core.Bucket;
import io.agstorage.core.QueryLimitExceededException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Runs one bucketed aggregation whose parameters are, in order: the bucket width in microseconds, the series
 * ids ({@code bigint[]}), start, end, and the row limit; whose columns are the bucket start and the value, and
 * optionally a third, a boolean: false when the bucket's value is not to be trusted (the whole answer is then null).
 * Shared by the raw-table and the rollup read paths.
 */
public final class BucketQuery {

    private BucketQuery() {}

    /**
     * The buckets, oldest first; fails rather than truncates past {@code maxResults}; null when a third column says a
     * bucket is incomplete.
     */
    public static @Nullable List<Bucket> run(
            Connection c, String sql, long[] seriesIds, Instant start, Instant end, Duration bucket, int maxResults)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, bucket.toNanos() / 1_000);
            ps.setObject(2, seriesIds);
            ps.setObject(3, OffsetDateTime.ofInstant(start, ZoneOffset.UTC));
            ps.setObject(4, OffsetDateTime.ofInstant(end, ZoneOffset.UTC));
            ps.setInt(5, maxResults + 1);
            List<Bucket> buckets = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                boolean checked = rs.getMetaData().getColumnCount() > 2;
                while (rs.next()) {
                    if (checked && !rs.getBoolean(3)) {
                        return null;
                    }
                    if (buckets.size() == maxResults) {
                        throw new QueryLimitExceededException(maxResults);
                    }
                    buckets.add(new Bucket(rs.getObject(1, OffsetDateTime.class).toInstant(), rs.getDouble(2)));
                }
            }
            return buckets;
        }
    }
}
