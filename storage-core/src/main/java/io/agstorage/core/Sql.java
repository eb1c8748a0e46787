package io.agstorage.core;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.regex.Pattern;

/**
 * The SQL rules every module that runs its own SQL shares: which schema and table names are accepted (one rule,
 * also the one configuration validates against) and which failures are worth retrying.
 */
public final class Sql {

    /**
     * The identifier rule as a regular expression: lower-case letters, digits and {@code _}, not starting with a
     * digit, at most 63 characters (PostgreSQL's limit), so a valid name never needs escaping.
     */
    public static final String IDENTIFIER_RULE = "[a-z_][a-z0-9_]{0,62}";

    private static final Pattern IDENTIFIER = Pattern.compile(IDENTIFIER_RULE);

    private Sql() {}

    /** Whether {@code name} follows {@link #IDENTIFIER_RULE}. */
    public static boolean isIdentifier(String name) {
        return IDENTIFIER.matcher(name).matches();
    }

    /**
     * A schema or table name, validated and double-quoted. Only names from configuration or our own
     * constants reach here; a name outside {@link #IDENTIFIER_RULE} is refused, never escaped.
     *
     * @throws IllegalArgumentException naming the rule and the name
     */
    public static String quoteIdentifier(String name) {
        if (!isIdentifier(name)) {
            throw new IllegalArgumentException("identifier must match " + IDENTIFIER_RULE + ", was '" + name + "'");
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
