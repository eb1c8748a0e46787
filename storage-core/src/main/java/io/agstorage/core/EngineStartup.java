package io.agstorage.core;

import com.zaxxer.hikari.HikariDataSource;
import io.agstorage.core.internal.ConnectionPool;
import io.agstorage.core.internal.SeriesBudget;
import io.agstorage.core.internal.SeriesRegistry;
import io.agstorage.core.internal.schema.MigrationRunner;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link StorageEngine} does before it takes data: detects the server's capabilities (logged in one line), refuses
 * a server without TimescaleDB, opens every pooled connection up front on the WASM tier, applies migrations, and
 * chooses the write method.
 */
final class EngineStartup {

    /** The engine's logger: start-up lines keep the name they have always been logged under. */
    private static final Logger log = LoggerFactory.getLogger(StorageEngine.class);

    private EngineStartup() {}

    /**
     * Prepares the database for an engine: everything above but the write method; returns the capabilities.
     *
     * @param ownedPool the engine's own pool, or null when it runs on the caller's {@link DataSource}
     * @throws StorageException when the database is unreachable or lacks TimescaleDB
     */
    static Capabilities start(StorageConfig config, DataSource dataSource, @Nullable HikariDataSource ownedPool) {
        Capabilities capabilities = detect(config, dataSource);
        log.info("ag-storage on {}: {}", Masking.maskJdbcUrl(config.jdbcUrl()), capabilities.describe());
        if (capabilities.tier() == TimescaleTier.NONE) {
            throw new StorageException(
                    "TimescaleDB is not installed on this PostgreSQL " + capabilities.postgresVersion()
                            + " server (" + Masking.maskJdbcUrl(config.jdbcUrl())
                            + "). ag-storage needs it: run scripts/timescaledb start "
                            + "for a local server, `docker compose up -d` for the official image, or install the "
                            + "timescaledb package for this PostgreSQL and add it to shared_preload_libraries");
        }
        if (capabilities.wasm() && ownedPool != null) {
            ConnectionPool.openAllUpFront(ownedPool, config.connectionTimeoutSec());
        }
        if (config.migrate()) {
            migrate(config, dataSource, capabilities);
        }
        return capabilities;
    }

    /** Creates the TimescaleDB extension if needed and applies pending migrations; a no-op when up to date. */
    static void migrate(StorageConfig config, DataSource dataSource, Capabilities capabilities) {
        try (Connection c = dataSource.getConnection()) {
            if (capabilities.timescaleVersion() == null) {
                try (Statement st = c.createStatement()) {
                    st.execute("CREATE EXTENSION IF NOT EXISTS timescaledb");
                }
                log.info("Created extension timescaledb {}", capabilities.availableTimescaleVersion());
            }
            new MigrationRunner(config.schema()).migrate(c);
        } catch (SQLException e) {
            throw new StorageException("migrating schema " + config.schema() + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * The engine's series registry, its {@link SeriesBudget} counting the series the schema holds now (none when the
     * schema is not migrated yet), so that {@code limits.*} count what is in the database, not only what is in memory.
     */
    static SeriesRegistry seriesRegistry(StorageConfig config, DataSource dataSource, String quotedSchema) {
        SeriesBudget budget = new SeriesBudget(config.limits());
        try (Connection c = dataSource.getConnection()) {
            long t0 = System.nanoTime();
            int n = budget.readExisting(c, quotedSchema);
            log.debug(
                    "Counted {} series of schema {} in {} ms",
                    n,
                    config.schema(),
                    (System.nanoTime() - t0) / 1_000_000);
        } catch (SQLException e) {
            if (!"42P01".equals(e.getSQLState())) { // undefined_table: not migrated yet, so no series
                throw new StorageException(
                        "counting the series of schema " + config.schema() + " failed: " + e.getMessage(), e);
            }
        }
        return new SeriesRegistry(config.limits(), budget);
    }

    /** Whether samples go by binary COPY ({@code AUTO}: everywhere but the WASM tier, where COPY kills the server). */
    static boolean useCopy(StorageConfig config, Capabilities capabilities) {
        return switch (config.writeMethod()) {
            case COPY -> true;
            case INSERT -> false;
            case AUTO -> !capabilities.wasm();
        };
    }

    private static Capabilities detect(StorageConfig config, DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            return Capabilities.detect(c);
        } catch (SQLException e) {
            throw new StorageException(
                    "cannot read server capabilities from " + Masking.maskJdbcUrl(config.jdbcUrl()) + ": "
                            + e.getMessage(),
                    e);
        }
    }
}
