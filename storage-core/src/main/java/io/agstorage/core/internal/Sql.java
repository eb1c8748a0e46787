package io.agstorage.core.internal;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.regex.Pattern;

/** Identifier quoting and SQLSTATE classification shared by every class that runs SQL. */
public final class Sql {

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private Sql() {}

    /**
     * A schema or table name, validated and double-quoted. Only names from configuration or our own
     * constants reach here; a name outside {@code [a-z_][a-z0-9_]*} is refused, never escaped.
     */
    public static String quoteIdentifier(String name) {
        if (!IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException("identifier must match [a-z_][a-z0-9_]{0,62}, was '" + name + "'");
        }
        return '"' + name + '"';
    }

    /**
     * Whether retrying the same statement later may succeed: connection failures (08), resource limits
     * (53), operator intervention such as a restart (57P), serialization failures and deadlocks (40).
     */
    public static boolean isTransient(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientException || t instanceof SQLRecoverableException) {
                return true;
            }
            if (t instanceof SQLException s && s.getSQLState() != null) {
                String state = s.getSQLState();
                if (state.startsWith("08")
                        || state.startsWith("53")
                        || state.startsWith("57P")
                        || state.startsWith("40")) {
                    return true;
                }
            }
        }
        return false;
    }
}
