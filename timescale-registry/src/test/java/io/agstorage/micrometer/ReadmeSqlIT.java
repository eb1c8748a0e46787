package io.agstorage.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.agstorage.core.testing.DatabaseExtension;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Timer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The SQL the README shows for reading a timer's p99 and a counter's rate back, run verbatim (schema aside). */
class ReadmeSqlIT {

    /** README: a timer's p99 over the last hour, interpolated inside the bucket that holds it (seconds). */
    static final String TIMER_P99 = """
            WITH buckets AS (
              SELECT i, sum(h.bucket_counts[i]) AS n, max(h.bucket_bounds[i]) AS upper
              FROM ag_storage.histograms h
              JOIN ag_storage.series s ON s.id = h.series_id
              CROSS JOIN LATERAL generate_subscripts(h.bucket_counts, 1) AS i
              WHERE s.metric = 'fill_latency' AND h.time > now() - interval '1 hour'
              GROUP BY i
            ), ranked AS (
              SELECT upper, n, coalesce(lag(upper) OVER (ORDER BY i), 0) AS lower,
                     sum(n) OVER (ORDER BY i) AS cum, sum(n) OVER () AS total
              FROM buckets
            )
            SELECT lower + (upper - lower) * (0.99 * total - (cum - n)) / n AS p99_seconds
            FROM ranked WHERE n > 0 AND cum >= 0.99 * total ORDER BY cum LIMIT 1
            """;

    /** README: a counter's rate per second in 5-minute buckets over the last hour. */
    static final String COUNTER_RATE = """
            SELECT time_bucket('5 minutes', "timestamp") AS bucket, sum(value) / 300 AS orders_per_second
            FROM ag_storage.metrics
            WHERE metric_name = 'orders_placed' AND "timestamp" > now() - interval '1 hour'
            GROUP BY bucket ORDER BY bucket
            """;

    @RegisterExtension
    static final DatabaseExtension db = DatabaseExtension.apache("mm_readme").withEngine();

    @Test
    void theReadmeQueriesReadATimersP99AndACountersRate() throws SQLException {
        MockClock clock = new MockClock();
        long minute = TimeUnit.MINUTES.toMillis(1);
        clock.add(System.currentTimeMillis() / minute * minute - 10 * minute - clock.wallTime(), TimeUnit.MILLISECONDS);
        TimescaleConfig config = key -> key.equals("timescale.step") ? "1m" : null;
        try (TimescaleMeterRegistry registry = TimescaleMeterRegistry.builder(config)
                .clock(clock)
                .storageEngine(db.engine())
                .build()) {
            Timer latency = Timer.builder("fill.latency")
                    .serviceLevelObjectives(
                            Duration.ofMillis(10),
                            Duration.ofMillis(20),
                            Duration.ofMillis(30),
                            Duration.ofMillis(40),
                            Duration.ofMillis(50),
                            Duration.ofMillis(60),
                            Duration.ofMillis(70),
                            Duration.ofMillis(80),
                            Duration.ofMillis(90),
                            Duration.ofMillis(100))
                    .register(registry);
            Counter placed = registry.counter("orders.placed");
            clock.add(30, TimeUnit.SECONDS);
            for (int ms = 1; ms <= 50; ms++) {
                latency.record(Duration.ofMillis(ms));
            }
            placed.increment(3);
            clock.add(30, TimeUnit.SECONDS);
            registry.publish();
            clock.add(30, TimeUnit.SECONDS);
            for (int ms = 51; ms <= 100; ms++) {
                latency.record(Duration.ofMillis(ms));
            }
            placed.increment(5);
            clock.add(30, TimeUnit.SECONDS);
            registry.publish();
        }

        assertThat(queryDoubles(TIMER_P99))
                .singleElement()
                .satisfies(p99 -> assertThat(p99).isCloseTo(0.099, within(1e-9)));
        List<Double> rates = queryDoubles(COUNTER_RATE);
        assertThat(rates.stream().mapToDouble(r -> r * 300).sum()).isCloseTo(8.0, within(1e-9));
    }

    private List<Double> queryDoubles(String readmeSql) throws SQLException {
        String sql = readmeSql.replace("ag_storage.", db.engine().quotedSchema() + ".");
        List<Double> out = new ArrayList<>();
        try (Connection c = db.engine().dataSource().getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            int column = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                out.add(rs.getDouble(column));
            }
        }
        return out;
    }
}
