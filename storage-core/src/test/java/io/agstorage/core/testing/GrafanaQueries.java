package io.agstorage.core.testing;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Grafana's PostgreSQL macros expanded as Grafana does with {@code timescaledb: true}, for a fixed range and a
 * 1-hour interval, so that a dashboard's SQL can run against the real database in a test; and the rows it returns,
 * one string per row.
 */
public final class GrafanaQueries {

    private static final Pattern TIME_FILTER = Pattern.compile("\\$__timeFilter\\(\\s*([^()]+?)\\s*\\)");
    private static final Pattern TIME_GROUP_ALIAS =
            Pattern.compile("\\$__timeGroupAlias\\(\\s*([^(),]+?)\\s*,\\s*\\$__interval\\s*\\)");

    /** The rows of one query: its first column as "label type", and each row's cells joined by " | ". */
    public record Result(String firstColumn, List<String> rows) {}

    private final String schema;
    private final Instant from;
    private final Instant to;

    /** Expands {@code ${schema:doublequote}} to {@code schema} and the time macros to [from, to]. */
    public GrafanaQueries(String schema, Instant from, Instant to) {
        this.schema = schema;
        this.from = from;
        this.to = to;
    }

    /**
     * The query with every macro expanded; {@code sqlStrings} gives the values of {@code ${name:sqlstring}} variables.
     * Fails the test when a {@code $} is left.
     */
    public String expand(String rawSql, Map<String, String> sqlStrings) {
        String f = "'" + from + "'";
        String t = "'" + to + "'";
        String sql = rawSql.replace("${schema:doublequote}", "\"" + schema.replace("\"", "\"\"") + "\"");
        sql = TIME_GROUP_ALIAS
                .matcher(sql)
                .replaceAll(m -> Matcher.quoteReplacement("time_bucket('1 hour', " + m.group(1) + ") AS \"time\""));
        sql = TIME_FILTER
                .matcher(sql)
                .replaceAll(m -> Matcher.quoteReplacement(m.group(1) + " BETWEEN " + f + " AND " + t));
        sql = sql.replace("$__timeFrom()", f)
                .replace("$__timeTo()", t)
                .replace("$__interval_ms", "3600000")
                .replace("$__interval", "1h");
        for (Map.Entry<String, String> v : sqlStrings.entrySet()) {
            sql = sql.replace(
                    "${" + v.getKey() + ":sqlstring}", "'" + v.getValue().replace("'", "''") + "'");
        }
        if (sql.contains("$")) {
            throw new AssertionError("a macro or variable was left unexpanded:\n" + sql);
        }
        return sql;
    }

    /**
     * Runs {@code sql} on {@code connection}; timestamps print as instants, numbers without trailing zeros, SQL NULL
     * as {@code null}.
     */
    public static Result run(Connection connection, String sql) throws SQLException {
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            List<String> rows = new ArrayList<>();
            while (rs.next()) {
                List<String> cells = new ArrayList<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    cells.add(cell(rs, md, i));
                }
                rows.add(String.join(" | ", cells));
            }
            return new Result(md.getColumnLabel(1) + " " + md.getColumnTypeName(1), rows);
        }
    }

    private static String cell(ResultSet rs, ResultSetMetaData md, int i) throws SQLException {
        if (rs.getObject(i) == null) {
            return "null";
        }
        if (md.getColumnTypeName(i).equals("timestamptz")) {
            return rs.getObject(i, OffsetDateTime.class).toInstant().toString();
        }
        return switch (md.getColumnType(i)) {
            case Types.NUMERIC -> rs.getBigDecimal(i).stripTrailingZeros().toPlainString();
            case Types.DOUBLE, Types.REAL ->
                BigDecimal.valueOf(rs.getDouble(i)).stripTrailingZeros().toPlainString();
            default -> rs.getString(i);
        };
    }
}
