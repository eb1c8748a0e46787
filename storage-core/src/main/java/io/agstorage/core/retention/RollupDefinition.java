package io.agstorage.core.retention;

import io.agstorage.core.Sql;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One rollup: a fixed grain, a source hypertable and a {@code SELECT ... GROUP BY bucket, keys} over it. The same
 * definition becomes a continuous aggregate on the TSL tier and drives the incremental refresh of the regular table
 * of the same name (created by the contributing module's migration) on the Apache edition, so both tiers hold the
 * same rows. A {@link RetentionContributor} hands these to {@link RetentionManager}.
 *
 * <p>{@code from}, {@code timeExpression} and the column expressions are SQL fragments: constants of the
 * contributing code, never user text. In {@code from} and the column expressions {@code %1$s} stands for the quoted
 * schema (e.g. for the schema's own functions; a literal {@code %} is written {@code %%}).
 *
 * @param name the relation name, in the engine's schema
 * @param source the hypertable it aggregates
 * @param requires every table that must exist for the rollup to exist
 * @param grain the bucket width
 * @param from the FROM clause, {@code %1$s} standing for the quoted schema
 * @param timeExpression the source's time column, as used in {@code from}
 * @param keys output column name → expression of the grouping keys besides {@code bucket}
 * @param values output column name → aggregate expression
 */
public record RollupDefinition(
        String name,
        String source,
        List<String> requires,
        Duration grain,
        String from,
        String timeExpression,
        List<Column> keys,
        List<Column> values) {

    /**
     * An output column and the SQL expression that computes it.
     *
     * @param name the column name ({@code [a-z_][a-z0-9_]*})
     * @param expression its SQL expression over the FROM clause's aliases
     */
    public record Column(String name, String expression) {
        public Column {
            Sql.quoteIdentifier(Objects.requireNonNull(name, "name"));
            Objects.requireNonNull(expression, "expression");
        }
    }

    /** @throws IllegalArgumentException when a name is not a plain SQL identifier or the grain is not positive */
    public RollupDefinition {
        Sql.quoteIdentifier(Objects.requireNonNull(name, "name"));
        Sql.quoteIdentifier(Objects.requireNonNull(source, "source"));
        requires = List.copyOf(requires);
        requires.forEach(Sql::quoteIdentifier);
        Objects.requireNonNull(grain, "grain");
        if (grain.isNegative() || grain.isZero()) {
            throw new IllegalArgumentException("rollup " + name + ": grain must be > 0, was " + grain);
        }
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(timeExpression, "timeExpression");
        keys = List.copyOf(keys);
        values = List.copyOf(values);
    }

    public long grainMicros() {
        return grain.toNanos() / 1_000;
    }

    /** {@code INTERVAL '3600 seconds'}: a constant, never user text. */
    public String grainLiteral() {
        return "INTERVAL '" + grain.toSeconds() + " seconds'";
    }

    /**
     * The aggregating SELECT, optionally restricted to {@code time >= ? AND time < ?} (two bound parameters);
     * its columns are {@code bucket}, the keys, then the values.
     */
    public String select(String quotedSchema, boolean bounded) {
        String bucket = "time_bucket(" + grainLiteral() + ", " + timeExpression + ")";
        String columns = bucket + " AS bucket, "
                + keys.stream()
                        .map(c -> String.format(c.expression(), quotedSchema) + " AS " + c.name())
                        .collect(Collectors.joining(", "))
                + ", "
                + values.stream()
                        .map(c -> String.format(c.expression(), quotedSchema) + " AS " + c.name())
                        .collect(Collectors.joining(", "));
        String where = bounded ? " WHERE " + timeExpression + " >= ? AND " + timeExpression + " < ?" : "";
        return "SELECT " + columns + " FROM " + String.format(from, quotedSchema) + where + " GROUP BY " + bucket + ", "
                + keys.stream()
                        .map(c -> String.format(c.expression(), quotedSchema))
                        .collect(Collectors.joining(", "));
    }

    /** Every output column, in {@link #select} order. */
    public List<String> columns() {
        return Stream.concat(
                        Stream.of("bucket"),
                        Stream.concat(keys.stream(), values.stream()).map(Column::name))
                .toList();
    }
}
