package io.agstorage.core.internal;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/**
 * Connections that failed at the network level (issue #12 item 7): a read that timed out on a silent network, a
 * reset, a closed socket. Such a connection is discarded at once, without a ROLLBACK or a cancelled COPY that would
 * wait on the same silent network again, and never lent again: pgjdbc does not close a connection whose COPY failed
 * to start, and a COPY goes around the pool's proxy, so the pool would not notice by itself.
 */
public final class BrokenConnections {

    private BrokenConnections() {}

    /** Whether {@code failure} says the connection itself is unusable: SQLSTATE class 08, or an I/O error under it. */
    public static boolean isBroken(@Nullable Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
            if (t instanceof SQLException s
                    && s.getSQLState() != null
                    && s.getSQLState().startsWith("08")) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /**
     * Closes the connection's socket now, waiting on nothing (the server ends the session, and rolls back its open
     * transaction, when it notices). The caller still closes it: a pool then finds it closed (SQLSTATE 08003) and
     * drops it rather than lend it again.
     */
    public static void discard(Connection connection) {
        try {
            connection.abort(Runnable::run);
        } catch (SQLException | RuntimeException e) {
            // closed already
        }
    }
}
