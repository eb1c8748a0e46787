package io.agstorage.core.internal.writer;

import java.sql.SQLException;

/**
 * The connection failed after the commit was sent: the batch may or may not be in the database. Writing it again
 * may double it; not writing it may lose it. Keeps the cause's SQLState, so it still counts as transient.
 */
public final class CommitOutcomeUnknownException extends SQLException {

    private static final long serialVersionUID = 1L;

    CommitOutcomeUnknownException(SQLException cause) {
        super(
                "the connection failed after the commit was sent, so whether it took effect is unknown: "
                        + cause.getMessage(),
                cause.getSQLState(),
                cause.getErrorCode(),
                cause);
    }
}
