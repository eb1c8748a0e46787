package io.agstorage.core.retention.internal;

import io.agstorage.core.StorageException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader lock of one schema's retention runs: a {@link ReentrantLock} inside this JVM and a session advisory
 * lock across JVMs (on the WASM server every connection shares one session, so there the local lock does the work).
 */
public final class RetentionLock {

    private static final Logger log = LoggerFactory.getLogger(RetentionLock.class);

    /** 'AGRT': the advisory lock class of ag-storage's retention runs; the schema picks the object id. */
    public static final int LOCK_CLASS = 0x41475254;

    /** Work done under the lock. */
    @FunctionalInterface
    public interface Work<T> {
        T run() throws SQLException;
    }

    private final DataSource dataSource;
    private final String schema;
    private final ReentrantLock local = new ReentrantLock();

    public RetentionLock(DataSource dataSource, String schema) {
        this.dataSource = dataSource;
        this.schema = schema;
    }

    /**
     * Runs {@code work} holding this schema's retention lock, taken on a dedicated connection held for the whole
     * run: waiting for it when {@code wait}, else returning null when another session holds it.
     *
     * @throws StorageException when the database fails
     */
    public <T> @Nullable T withLock(boolean wait, Work<T> work) {
        if (wait) {
            local.lock();
        } else if (!local.tryLock()) {
            return null;
        }
        try {
            return withAdvisoryLock(wait, work);
        } finally {
            local.unlock();
        }
    }

    private <T> @Nullable T withAdvisoryLock(boolean wait, Work<T> work) {
        try (Connection lock = dataSource.getConnection()) {
            lock.setAutoCommit(true);
            try (PreparedStatement ps = lock.prepareStatement(
                    wait ? "SELECT pg_advisory_lock(?, ?), true" : "SELECT true, pg_try_advisory_lock(?, ?)")) {
                ps.setInt(1, LOCK_CLASS);
                ps.setInt(2, schema.hashCode());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(2)) {
                        log.debug("Retention on schema {}: another instance holds the lock; skipping", schema);
                        return null;
                    }
                }
            }
            try {
                return work.run();
            } finally {
                try (PreparedStatement ps = lock.prepareStatement("SELECT pg_advisory_unlock(?, ?)")) {
                    ps.setInt(1, LOCK_CLASS);
                    ps.setInt(2, schema.hashCode());
                    ps.execute();
                } catch (SQLException e) {
                    log.warn(
                            "Releasing the retention lock of schema {} failed ({}); it is released when the "
                                    + "connection closes",
                            schema,
                            e.getMessage());
                    lock.abort(Runnable::run);
                }
            }
        } catch (SQLException e) {
            throw new StorageException("retention on schema " + schema + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "RetentionLock[" + schema + "]";
    }
}
