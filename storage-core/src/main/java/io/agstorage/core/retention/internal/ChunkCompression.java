package io.agstorage.core.retention.internal;

import static io.agstorage.core.retention.internal.SchemaCatalog.utc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compresses now, one chunk per statement, what the compression policies would on their schedule: every
 * uncompressed chunk of the given hypertables whose range ended {@code days} ago (TSL tier only).
 */
public final class ChunkCompression {

    /** Why compression does not run on the Apache edition (what {@code CompressionStatus} and reports say). */
    public static final String APACHE_EDITION = "native compression needs TimescaleDB's Timescale License (TSL) "
            + "edition; this server runs the Apache 2 edition (timescaledb.license = apache), which has no "
            + "compress_chunk, compression policies or columnar storage. Data stays uncompressed; retention and "
            + "rollups still run.";

    private static final Logger log = LoggerFactory.getLogger(ChunkCompression.class);

    private static final String OLD_CHUNKS = "SELECT format('%I.%I', chunk_schema, chunk_name) "
            + "FROM timescaledb_information.chunks WHERE hypertable_schema = ? AND hypertable_name = ANY (?) "
            + "AND NOT is_compressed AND range_end <= ? ORDER BY range_start";

    private final DataSource dataSource;
    private final String schema;

    public ChunkCompression(DataSource dataSource, String schema) {
        this.dataSource = dataSource;
        this.schema = schema;
    }

    /** Compresses the old chunks of {@code tables}; returns how many it compressed. */
    public int compress(List<String> tables, int days, Instant now) throws SQLException {
        Instant cutoff = now.minus(Duration.ofDays(days));
        List<String> chunks = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(OLD_CHUNKS)) {
            ps.setString(1, schema);
            ps.setArray(2, c.createArrayOf("text", tables.toArray()));
            ps.setObject(3, utc(cutoff));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    chunks.add(rs.getString(1));
                }
            }
            for (String chunk : chunks) {
                try (PreparedStatement compress =
                        c.prepareStatement("SELECT compress_chunk(?::regclass, if_not_compressed => true)")) {
                    compress.setString(1, chunk);
                    compress.execute();
                }
            }
        }
        if (!chunks.isEmpty()) {
            log.info("Compressed {} chunks of schema {} older than {} days", chunks.size(), schema, days);
        }
        return chunks.size();
    }

    @Override
    public String toString() {
        return "ChunkCompression[" + schema + "]";
    }
}
