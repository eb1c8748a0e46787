package io.agstorage.core.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.agstorage.core.DatabaseTimeouts;
import io.agstorage.core.Masking;
import io.agstorage.core.StorageConfig;
import io.agstorage.core.StorageException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The HikariCP pool a {@link io.agstorage.core.StorageEngine} owns, sized and named from its configuration. */
public final class ConnectionPool {

    private static final Logger log = LoggerFactory.getLogger(ConnectionPool.class);

    private ConnectionPool() {}

    /**
     * A started pool of {@code database.max_connections}.
     *
     * @throws StorageException naming the (masked) URL and how to get a database when none answers
     */
    public static HikariDataSource create(StorageConfig config) {
        return create(config, "ag-storage", config.jdbcUrl(), false);
    }

    /**
     * A started read-only pool to {@code database.read_url}, sized and bounded as the write pool.
     *
     * @throws IllegalStateException when no {@code database.read_url} is configured
     * @throws StorageException naming the (masked) URL when the replica does not answer
     */
    public static HikariDataSource createForReads(StorageConfig config) {
        String url = config.readReplica().url();
        if (url == null) {
            throw new IllegalStateException("database.read_url is not set");
        }
        return create(config, "ag-storage-read", url, true);
    }

    private static HikariDataSource create(StorageConfig config, String name, String url, boolean readOnly) {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName(name);
        hikari.setReadOnly(readOnly);
        hikari.setJdbcUrl(url);
        hikari.setUsername(config.user());
        hikari.setPassword(config.password());
        hikari.setMaximumPoolSize(config.maxConnections());
        hikari.setMinimumIdle(Math.min(2, config.maxConnections()));
        hikari.setConnectionTimeout(TimeUnit.SECONDS.toMillis(config.connectionTimeoutSec()));
        // Every wait bounded (issue #12 item 7): a silent network fails a read after the socket timeout, pgjdbc then
        // closes that connection and the pool evicts it (SQLSTATE 08006); checking an idle connection before lending
        // it, and opening one, are bounded too.
        DatabaseTimeouts timeouts = config.databaseTimeouts();
        hikari.setValidationTimeout(timeouts.validationTimeoutMs(config.connectionTimeoutSec()));
        hikari.addDataSourceProperty("socketTimeout", Integer.toString(timeouts.socketTimeoutSec()));
        hikari.addDataSourceProperty("connectTimeout", Integer.toString(timeouts.connectTimeoutSec()));
        hikari.addDataSourceProperty("loginTimeout", Integer.toString(timeouts.connectTimeoutSec()));
        hikari.addDataSourceProperty("tcpKeepAlive", Boolean.toString(timeouts.tcpKeepAlive()));
        hikari.addDataSourceProperty("ApplicationName", name);
        hikari.addDataSourceProperty("reWriteBatchedInserts", "true");
        try {
            return new HikariDataSource(hikari);
        } catch (RuntimeException e) {
            throw new StorageException(
                    "cannot connect to " + Masking.maskJdbcUrl(url) + " as " + config.user()
                            + ": " + Causes.rootMessage(e)
                            + ". Start a local TimescaleDB with scripts/timescaledb start, or point "
                            + (readOnly ? "database.read_url" : "database.url (AG_STORAGE_DATABASE_URL)") + " at yours",
                    e);
        }
    }

    /**
     * PostgreSQL compiled to WASM serves every connection from one session, and its socket server mixes up
     * replies when a connection opens while another is inside a transaction: so there the pool opens all its
     * connections now, before any transaction, and never replaces them.
     */
    public static void openAllUpFront(HikariDataSource pool, int timeoutSec) {
        int size = pool.getMaximumPoolSize();
        pool.getHikariConfigMXBean().setMaxLifetime(0);
        pool.getHikariConfigMXBean().setIdleTimeout(0);
        pool.getHikariConfigMXBean().setMinimumIdle(size);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSec);
        while (pool.getHikariPoolMXBean().getTotalConnections() < size && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        log.info(
                "WASM server: opened {} of {} pooled connections up front",
                pool.getHikariPoolMXBean().getTotalConnections(),
                size);
    }
}
