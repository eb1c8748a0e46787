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

/**
 * Runs one bucketed aggregation whose parameters are, in order: the bucket width in microseconds, the series
 * ids ({@code bigint[]}), start, end, and the row limit; whose columns are the bucket start and the value.
 * Shared by the raw-table and the rollup read paths.
 */
public final class BucketQuery {

    private BucketQuery() {}

    /** The buckets, oldest first; fails rather than truncates past {@code maxResults}. */
    public static List<Bucket> run(
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
                while (rs.next()) {
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
