package io.agstorage.core.retention.internal;

import io.agstorage.core.StorageException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader lock of one schema's retention runs: a {@link ReentrantLock} inside this JVM and a session advisory
 * lock across JVMs (on the WASM server every connection shares one session, so there the local lock does the work).
 * A leader whose network goes silent keeps its session's lock on the server for as long as nothing resets it: the
 * {@link LeaderLease} ends such a session after a lease without a sign of life, so another instance takes over.
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
    private final @Nullable Duration lease;

    /**
     * @param lease how long the leader's session may give no sign of life before another instance ends it and takes
     *     over ({@link LeaderLease}); null where sessions are not separate (the WASM server)
     */
    public RetentionLock(DataSource dataSource, String schema, @Nullable Duration lease) {
        this.dataSource = dataSource;
        this.schema = schema;
        this.lease = lease;
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
            if (!acquire(lock, wait)) {
                log.debug("Retention on schema {}: another instance holds the lock; skipping", schema);
                return null;
            }
            LeaderLease held = lease == null ? null : LeaderLease.keep(lock, lease, schema);
            try {
                return work.run();
            } finally {
                if (held != null) {
                    held.close();
                }
                if (held != null && held.lost()) {
                    log.warn(
                            "Retention on schema {}: the lock's connection was lost during the run; the server "
                                    + "releases the lock with its session",
                            schema);
                } else {
                    unlock(lock);
                }
            }
        } catch (SQLException e) {
            throw new StorageException("retention on schema " + schema + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Takes the advisory lock: false when another session holds it and {@code wait} is false. With a lease, a holder
     * that gave no sign of life for a lease is ended first ({@link LeaderLease}), and waiting polls rather than
     * blocking in the server, so that no read outlasts the socket timeout.
     */
    private boolean acquire(Connection lock, boolean wait) throws SQLException {
        if (lease == null) {
            return lockStatement(
                    lock, wait ? "SELECT pg_advisory_lock(?, ?), true" : "SELECT true, pg_try_advisory_lock(?, ?)");
        }
        while (true) {
            if (lockStatement(lock, "SELECT true, pg_try_advisory_lock(?, ?)")) {
                return true;
            }
            if (LeaderLease.endStaleHolders(lock, LOCK_CLASS, schema.hashCode(), lease, schema) > 0) {
                // the server releases an ended session's locks as the session exits: soon
                for (int i = 0; i < 100; i++) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                    if (lockStatement(lock, "SELECT true, pg_try_advisory_lock(?, ?)")) {
                        return true;
                    }
                }
            }
            if (!wait) {
                return false;
            }
            LockSupport.parkNanos(Math.min(TimeUnit.SECONDS.toNanos(1), lease.toNanos() / 4));
        }
    }

    private boolean lockStatement(Connection lock, String sql) throws SQLException {
        try (PreparedStatement ps = lock.prepareStatement(sql)) {
            ps.setInt(1, LOCK_CLASS);
            ps.setInt(2, schema.hashCode());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(2);
            }
        }
    }

    private void unlock(Connection lock) throws SQLException {
        try (PreparedStatement ps = lock.prepareStatement("SELECT pg_advisory_unlock(?, ?)")) {
            ps.setInt(1, LOCK_CLASS);
            ps.setInt(2, schema.hashCode());
            ps.execute();
        } catch (SQLException e) {
            log.warn(
                    "Releasing the retention lock of schema {} failed ({}); it is released when the connection closes",
                    schema,
                    e.getMessage());
            lock.abort(Runnable::run);
        }
    }

    @Override
    public String toString() {
        return "RetentionLock[" + schema + "]";
    }
}
