package io.agstorage.core.retention.internal;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One rollup: a fixed grain, a source hypertable and a {@code SELECT ... GROUP BY bucket, keys} over it. The same
 * definition becomes a continuous aggregate on the TSL tier and drives the incremental refresh of the regular table
 * (created by {@code V004__rollups.sql}) on the Apache edition, so both tiers hold the same rows.
 *
 * @param name the relation name, in the engine's schema
 * @param source the hypertable it aggregates (decides whether the rollup can exist)
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

    /** An output column and the SQL expression that computes it; both are constants of this class. */
    public record Column(String name, String expression) {}

    public static final RollupDefinition METRICS_HOURLY = metrics("metrics_hourly", Duration.ofHours(1));
    public static final RollupDefinition METRICS_DAILY = metrics("metrics_daily", Duration.ofDays(1));

    public static final RollupDefinition ORDERS_DAILY_STATS = new RollupDefinition(
            "orders_daily_stats",
            "order_events",
            List.of("order_events", "orders"),
            Duration.ofDays(1),
            "%1$s.order_events e JOIN %1$s.orders o ON o.id = e.order_id",
            "e.time",
            List.of(new Column("venue", "o.venue"), new Column("market", "o.market"), new Column("status", "e.status")),
            List.of(new Column("event_count", "count(*)"), new Column("size_sum", "sum(e.size)")));

    public static final RollupDefinition FILLS_DAILY_STATS = new RollupDefinition(
            "fills_daily_stats",
            "fills",
            List.of("fills"),
            Duration.ofDays(1),
            "%1$s.fills f",
            "f.venue_trade_time",
            List.of(new Column("venue", "f.venue"), new Column("market", "f.market"), new Column("side", "f.side")),
            List.of(
                    new Column("fill_count", "count(*)"),
                    new Column("volume", "sum(f.size)"),
                    new Column("notional", "sum(f.price * f.size)"),
                    new Column("vwap", "sum(f.price * f.size) / NULLIF(sum(f.size), 0)"),
                    new Column("fees", "sum(f.fee)")));

    /** Every rollup, metrics first; the metrics ones always exist, the execution ones when their tables do. */
    public static final List<RollupDefinition> ALL =
            List.of(METRICS_HOURLY, METRICS_DAILY, ORDERS_DAILY_STATS, FILLS_DAILY_STATS);

    /** The metrics rollups a query may read, coarsest first. */
    public static final List<RollupDefinition> METRICS = List.of(METRICS_DAILY, METRICS_HOURLY);

    private static RollupDefinition metrics(String name, Duration grain) {
        return new RollupDefinition(
                name,
                "samples",
                List.of("samples"),
                grain,
                "%1$s.samples s",
                "s.time",
                List.of(new Column("series_id", "s.series_id")),
                List.of(
                        new Column("sample_count", "count(*)"), new Column("value_sum", "sum(s.value)"),
                        new Column("value_min", "min(s.value)"), new Column("value_max", "max(s.value)"),
                        new Column("time_first", "min(s.time)"), new Column("value_first", "first(s.value, s.time)"),
                        new Column("time_last", "max(s.time)"), new Column("value_last", "last(s.value, s.time)")));
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
                + keys.stream().map(c -> c.expression() + " AS " + c.name()).collect(Collectors.joining(", ")) + ", "
                + values.stream().map(c -> c.expression() + " AS " + c.name()).collect(Collectors.joining(", "));
        String where = bounded ? " WHERE " + timeExpression + " >= ? AND " + timeExpression + " < ?" : "";
        return "SELECT " + columns + " FROM " + String.format(from, quotedSchema) + where + " GROUP BY " + bucket + ", "
                + keys.stream().map(Column::expression).collect(Collectors.joining(", "));
    }

    /** Every output column, in {@link #select} order. */
    public List<String> columns() {
        return java.util.stream.Stream.concat(
                        java.util.stream.Stream.of("bucket"),
                        java.util.stream.Stream.concat(keys.stream(), values.stream())
                                .map(Column::name))
                .toList();
    }
}
