package io.agstorage.execution;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agstorage.core.MetricPoint;
import io.agstorage.core.journal.SyncPolicy;
import io.agstorage.core.retention.RetentionManager;
import io.agstorage.core.testing.DatabaseExtension;
import io.agstorage.core.testing.GrafanaQueries;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard of {@code docker compose --profile grafana}
 * ({@code docker/grafana/dashboards/ag-storage.json}): every panel's SQL, with Grafana's macros expanded for a 3-hour
 * range and 1-hour interval, run against the real database over known metrics and executions, and its rows compared
 * with what was stored.
 */
class GrafanaDashboardIT {

    static final Path DASHBOARD = Path.of("../docker/grafana/dashboards/ag-storage.json");
    static final String DATASOURCE_UID = "ag-storage";

    @RegisterExtension
    static final DatabaseExtension db = DatabaseExtension.apache("grafana_it").withEngine();
    /** The dashboard's time range: [FROM, TO], three whole hours; data outside it must not show. */
    private static final Instant FROM = Instant.parse("2026-03-02T10:00:00Z");

    private static final Instant TO = FROM.plus(Duration.ofHours(3));
    private static final String H10 = "2026-03-02T10:00:00Z";
    private static final String H11 = "2026-03-02T11:00:00Z";
    private static final String H12 = "2026-03-02T12:00:00Z";
    private static final String POLY = "0x5e1ec7";
    private static final String KALSHI = "KXFED-26MAR";

    /**
     * Per panel title, per value of {@code $metric}: the rows the panel's query must return, columns joined by " | ".
     */
    private static final Map<String, Map<String, List<String>>> EXPECTED = new LinkedHashMap<>();

    static {
        List<String> spreadHourly = List.of(
                H10 + " | market=A, venue=polymarket | 2.5", H10 + " | market=B, venue=kalshi | 102.5",
                H11 + " | market=A, venue=polymarket | 12.5", H11 + " | market=B, venue=kalshi | 112.5",
                H12 + " | market=A, venue=polymarket | 22.5", H12 + " | market=B, venue=kalshi | 122.5");
        List<String> queueDepthHourly =
                List.of(H10 + " | queue_depth | 7", H11 + " | queue_depth | 8", H12 + " | queue_depth | 9");
        EXPECTED.put("$metric by series", Map.of("spread_bps", spreadHourly, "queue_depth", queueDepthHourly));
        EXPECTED.put(
                "$metric hourly average (metrics_hourly)",
                Map.of("spread_bps", spreadHourly, "queue_depth", queueDepthHourly));
        List<String> fills = List.of(
                H10 + " | polymarket | 2 | 54",
                H11 + " | kalshi | 1 | 10",
                H11 + " | polymarket | 1 | 12",
                H12 + " | kalshi | 2 | 6.5");
        EXPECTED.put("Fills per hour by venue", Map.of("spread_bps", fills, "queue_depth", fills));
        List<String> positions = List.of(
                "kalshi | " + KALSHI + " | -3 | null | 0 | 0 | 2026-03-02T10:30:00Z",
                "polymarket | " + POLY + " | 25 | 0.48 | 1.5 | -0.25 | 2026-03-02T11:00:00Z");
        EXPECTED.put("Latest position per instrument", Map.of("spread_bps", positions, "queue_depth", positions));
        List<String> statuses = List.of("FILLED | 3", "CANCELLED | 1", "NEW | 1", "PARTIALLY_FILLED | 1");
        EXPECTED.put("Orders by status", Map.of("spread_bps", statuses, "queue_depth", statuses));
    }

    @TempDir
    static Path journalDir;

    private static JsonNode dashboard;

    @BeforeAll
    static void storeKnownMetricsAndExecutions() throws IOException {
        dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());

        // spread_bps: two series, a sample every 10 minutes; hour h holds 10h + 0..5 (A) and 100 + 10h + 0..5 (B)
        List<MetricPoint> points = new ArrayList<>();
        for (int minute = 0; minute < 180; minute += 10) {
            double value = 10 * (minute / 60) + (minute % 60) / 10;
            Instant at = FROM.plus(Duration.ofMinutes(minute));
            points.add(spread("A", "polymarket", value, at));
            points.add(spread("B", "kalshi", 100 + value, at));
        }
        for (int hour = 0; hour < 3; hour++) {
            points.add(MetricPoint.of("queue_depth", 7 + hour).at(FROM.plus(Duration.ofMinutes(60 * hour + 15))));
        }
        // outside the range: before it and after it
        points.add(spread("A", "polymarket", 999, FROM.minus(Duration.ofMinutes(30))));
        points.add(spread("B", "kalshi", 999, TO.plus(Duration.ofMinutes(30)))); // in the hour starting at TO
        points.add(MetricPoint.of("queue_depth", 999).at(TO.plus(Duration.ofMinutes(30))));
        db.engine().insertMetricsBatch(points);
        RetentionManager.create(db.engine())
                .refreshRollups(FROM.minus(Duration.ofHours(1)), TO.plus(Duration.ofHours(1)));

        try (ExecutionStore store = ExecutionStore.builder()
                .storageEngine(db.engine())
                .journalDirectory(journalDir)
                .syncPolicy(SyncPolicy.BATCH)
                .build()) {
            Order pa = order(store, "polymarket", POLY, 1, OrderStatus.ACCEPTED, OrderStatus.FILLED);
            Order pb = order(store, "polymarket", POLY, 50, OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_FILLED);
            Order ka = order(store, "kalshi", KALSHI, 60, OrderStatus.FILLED);
            Order kb = order(
                    store,
                    "kalshi",
                    KALSHI,
                    120,
                    OrderStatus.ACCEPTED,
                    OrderStatus.PARTIALLY_FILLED,
                    OrderStatus.FILLED);
            order(store, "polymarket", POLY, 150, OrderStatus.CANCELLED);
            order(store, "polymarket", POLY, 165);
            Order old = order(store, "polymarket", POLY, -120, OrderStatus.CANCELLED); // created before the range

            fill(store, pa, "p-1", "0.50", "100", 5); // 10:00 polymarket: 2 fills, 50 + 4
            fill(store, pa, "p-2", "0.40", "10", 20);
            fill(store, pb, "p-3", "0.60", "20", 70); // 11:00 polymarket: 12
            fill(store, ka, "k-1", "0.25", "40", 90); // 11:00 kalshi: 10
            fill(store, kb, "k-2", "0.30", "10", 125); // 12:00 kalshi: 2 fills, 3 + 3.5
            fill(store, kb, "k-3", "0.70", "5", 160);
            fill(store, pb, "p-4", "0.50", "1", 240); // after the range
            fill(store, old, "p-0", "0.90", "1", -10); // before the range

            store.storePosition(
                    PositionSnapshot.of("polymarket", POLY, d("10"), d("0.50")).withTime(FROM));
            store.storePosition(PositionSnapshot.of("polymarket", POLY, d("25"), d("0.48"))
                    .withRealizedPnl(d("1.5"))
                    .withUnrealizedPnl(d("-0.25"))
                    .withTime(FROM.plus(Duration.ofHours(1))));
            // after the range
            store.storePosition(PositionSnapshot.of("polymarket", POLY, d("99"), d("0.55"))
                    .withTime(FROM.plus(Duration.ofHours(5))));
            store.storePosition(
                    PositionSnapshot.of("kalshi", KALSHI, d("-1"), d("0.30")).withTime(FROM.minus(Duration.ofDays(1))));
            store.storePosition(
                    PositionSnapshot.of("kalshi", KALSHI, d("-3"), null).withTime(FROM.plus(Duration.ofMinutes(30))));
            store.flush();
        }
    }

    private static BigDecimal d(String v) {
        return new BigDecimal(v);
    }

    private static MetricPoint spread(String market, String venue, double value, Instant at) {
        return MetricPoint.of("spread_bps", value)
                .withLabel("market", market)
                .withLabel("venue", venue)
                .at(at);
    }

    private static Order order(
            ExecutionStore store, String venue, String market, int minutesAfterFrom, OrderStatus... statuses) {
        Order order = Order.of(venue, market, Side.BUY, OrderType.LIMIT, d("100"))
                .withPrice(d("0.50"))
                .withCreatedAt(FROM.plus(Duration.ofMinutes(minutesAfterFrom)));
        store.storeOrder(order);
        for (OrderStatus status : statuses) {
            store.updateOrderStatus(order.id(), status);
        }
        return order;
    }

    private static void fill(
            ExecutionStore store, Order order, String tradeId, String price, String size, int minutesAfterFrom) {
        store.storeFill(Fill.of(order, tradeId, d(price), d(size))
                .withTradeTime(FROM.plus(Duration.ofMinutes(minutesAfterFrom))));
    }

    @Test
    void theDashboardHasTheFivePanelsAndTheMetricVariableAllOnTheProvisionedDatasource() {
        assertThat(dashboard.path("uid").asText()).isEqualTo("ag-storage");
        assertThat(dashboard.path("title").asText()).isEqualTo("ag-storage");
        assertThat(dashboard.path("panels"))
                .extracting(p -> p.path("title").asText())
                .containsExactlyInAnyOrderElementsOf(EXPECTED.keySet());
        for (JsonNode panel : dashboard.path("panels")) {
            String title = panel.path("title").asText();
            assertThat(panel.path("targets")).as(title).hasSize(1);
            for (JsonNode target : panel.path("targets")) {
                assertThat(target.path("datasource").path("uid").asText())
                        .as(title)
                        .isEqualTo(DATASOURCE_UID);
                assertThat(target.path("rawQuery").asBoolean()).as(title).isTrue();
                assertThat(target.path("format").asText()).as(title).isIn("time_series", "table");
            }
        }
        JsonNode variables = dashboard.path("templating").path("list");
        assertThat(variables).extracting(v -> v.path("name").asText()).containsExactly("schema", "metric");
        for (JsonNode variable : variables) {
            assertThat(variable.path("datasource").path("uid").asText()).isEqualTo(DATASOURCE_UID);
        }
    }

    @Test
    void theMetricVariableListsTheStoredMetricNames() throws SQLException {
        String query =
                dashboard.path("templating").path("list").get(1).path("query").asText();
        assertThat(run(expand(query, "spread_bps")).rows()).containsExactly("queue_depth", "spread_bps");
    }

    @Test
    void theSchemaVariableListsTheMigratedSchemasAmongThemTheTestsOwn() throws SQLException {
        String query =
                dashboard.path("templating").path("list").get(0).path("query").asText();
        assertThat(run(expand(query, "spread_bps")).rows())
                .contains(db.schema())
                .doesNotContain("public");
    }

    @Test
    void everyPanelsQueryReturnsExactlyTheStoredMetricsAndExecutions() throws SQLException {
        int queries = 0;
        for (JsonNode panel : dashboard.path("panels")) {
            String title = panel.path("title").asText();
            for (JsonNode target : panel.path("targets")) {
                for (String metric : List.of("spread_bps", "queue_depth")) {
                    String sql = expand(target.path("rawSql").asText(), metric);
                    GrafanaQueries.Result result = run(sql);
                    assertThat(result.rows())
                            .as(title + " with $metric = " + metric + ":\n" + sql)
                            .containsExactlyElementsOf(EXPECTED.get(title).get(metric));
                    if (target.path("format").asText().equals("time_series")) {
                        // Grafana's time series frames: a timestamptz column named "time" first
                        assertThat(result.firstColumn()).as(title).isEqualTo("time timestamptz");
                    }
                    queries++;
                }
            }
        }
        assertThat(queries).isEqualTo(2 * EXPECTED.size());
    }

    /** The dashboard's SQL for the range [FROM, TO], a 1-hour interval, the test's schema and {@code $metric}. */
    static String expand(String rawSql, String metric) {
        return new GrafanaQueries(db.schema(), FROM, TO).expand(rawSql, Map.of("metric", metric));
    }

    /**
     * Runs on a plain connection whose search_path does not hold the test schema, so a table the dashboard does not
     * qualify with {@code $schema} fails here as it would in Grafana.
     */
    private static GrafanaQueries.Result run(String sql) throws SQLException {
        try (Connection c = db.connect()) {
            return GrafanaQueries.run(c, sql);
        }
    }
}
