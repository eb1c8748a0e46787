package io.agstorage.core.retention.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a retention leader's claim alive, and ends claims that are not (issue #12 item 7). The leader's session holds
 * the advisory lock; if its network goes silent, the server keeps that session (and the lock) for as long as nothing
 * resets the connection, possibly for ever. So while it works the leader gives a sign of life on the lock's
 * connection every quarter of the lease ({@code SELECT 1}, which moves {@code pg_stat_activity.state_change}); a sign
 * that fails within half the lease means the leader lost its connection, which it then aborts. Another instance that
 * finds the lock taken ends the holder's session when it has given no sign of life for a whole lease
 * ({@code pg_terminate_backend}; the server then releases its lock), and takes the leadership.
 */
final class LeaderLease implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LeaderLease.class);

    private static final ScheduledExecutorService HEARTBEATS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ag-storage-retention-lease");
        t.setDaemon(true);
        return t;
    });

    /** The sessions holding the lock that have shown no sign of life for a lease; ends each. */
    private static final String END_STALE_HOLDERS = "SELECT a.pid, pg_terminate_backend(a.pid) FROM pg_locks l"
            + " JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted"
            + " AND l.classid = ?::bigint::oid AND l.objid = ?::bigint::oid AND l.objsubid = 2"
            + " AND a.pid <> pg_backend_pid() AND a.state = 'idle'"
            + " AND a.state_change < now() - make_interval(secs => ?)";

    private final Connection lock;
    private final String schema;
    private final ScheduledFuture<?> heartbeat;
    private boolean closed;
    private volatile boolean lost;

    private LeaderLease(Connection lock, Duration lease, String schema) throws SQLException {
        this.lock = lock;
        this.schema = schema;
        lock.setNetworkTimeout(Runnable::run, (int) Math.max(1, lease.toMillis() / 2));
        long every = Math.max(1, lease.toMillis() / 4);
        this.heartbeat = HEARTBEATS.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
    }

    /** Starts giving signs of life on {@code lock}, the connection holding the leader's advisory lock. */
    static LeaderLease keep(Connection lock, Duration lease, String schema) throws SQLException {
        return new LeaderLease(lock, lease, schema);
    }

    /**
     * Ends the sessions that hold the lock ({@code lockClass}, {@code key}) and have given no sign of life for a
     * {@code lease}: their leader lost its network. Returns how many were ended.
     */
    static int endStaleHolders(Connection connection, int lockClass, int key, Duration lease, String schema)
            throws SQLException {
        int ended = 0;
        try (PreparedStatement ps = connection.prepareStatement(END_STALE_HOLDERS)) {
            ps.setLong(1, Integer.toUnsignedLong(lockClass));
            ps.setLong(2, Integer.toUnsignedLong(key));
            ps.setDouble(3, lease.toMillis() / 1_000.0);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    log.warn(
                            "Retention on schema {}: the leader's session (pid {}) gave no sign of life for {}; "
                                    + "ended it (its network is gone) to take over the leadership",
                            schema,
                            rs.getInt(1),
                            lease);
                    ended++;
                }
            }
        }
        return ended;
    }

    /** Whether a sign of life failed: the lock's connection is aborted, and the leadership may be another's. */
    boolean lost() {
        return lost;
    }

    private synchronized void beat() {
        if (closed || lost) {
            return;
        }
        try (Statement st = lock.createStatement()) {
            st.execute("SELECT 1");
        } catch (SQLException e) {
            lost = true;
            log.warn(
                    "Retention on schema {}: the leader's lock connection failed ({}); aborting it, another "
                            + "instance may take over",
                    schema,
                    e.getMessage());
            try {
                lock.abort(Runnable::run);
            } catch (SQLException ignored) {
                // closed already: pgjdbc closes a connection whose read timed out
            }
        }
    }

    /** Stops the signs of life, after one in progress ends (bounded by half the lease). */
    @Override
    public void close() {
        heartbeat.cancel(false);
        synchronized (this) {
            closed = true;
        }
    }
}
