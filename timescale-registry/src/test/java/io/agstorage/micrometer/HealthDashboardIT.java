package io.agstorage.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agstorage.core.MetricPoint;
import io.agstorage.core.retention.RetentionManager;
import io.agstorage.core.retention.RetentionMetrics;
import io.agstorage.core.retention.RetentionScheduler;
import io.agstorage.core.testing.DatabaseExtension;
import io.agstorage.core.testing.GrafanaQueries;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.config.NamingConvention;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The health dashboard ({@code docker/grafana/dashboards/ag-storage-health.json}): its panels read the meters the
 * library's own binders register, as {@link TimescaleMeterRegistry} stores them, and each returns exactly what was
 * stored.
 */
class HealthDashboardIT {

    static final Path DASHBOARD = Path.of("../docker/grafana/dashboards/ag-storage-health.json");

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("grafana_health").withEngine();

    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");

    @Test
    void everyPanelReadsAMeterThatTheLibrarysBindersRecordIntoTheDatabase() throws Exception {
        MockClock clock = new MockClock();
        clock.add(T0.toEpochMilli(), TimeUnit.MILLISECONDS);
        TimescaleConfig config = key -> key.equals("timescale.step") ? "1m" : null;
        try (TimescaleMeterRegistry registry = TimescaleMeterRegistry.builder(config)
                        .clock(clock)
                        .storageEngine(db.engine())
                        .build();
                RetentionScheduler retention = RetentionScheduler.builder(RetentionManager.create(db.engine()))
                        .setInterval(Duration.ofHours(1))
                        .setInitialDelay(Duration.ofHours(1))
                        .build()) {
            new StorageEngineMetrics(registry).bindTo(registry);
            new RetentionMetrics(retention).bindTo(registry);
            retention.runNow().get();
            clock.add(1, TimeUnit.MINUTES);
            registry.publish();
        }
        GrafanaQueries grafana =
                new GrafanaQueries(db.schema(), T0.minus(Duration.ofHours(1)), T0.plus(Duration.ofHours(1)));
        Map<String, GrafanaQueries.Result> results = runAll(grafana);

        assertThat(results.get("Ring buffer: samples queued").rows()).hasSize(1);
        assertThat(results.get("Samples dropped by reason").rows())
                .containsExactly(
                        "2026-03-02T10:00:00Z | failed | 0",
                        "2026-03-02T10:00:00Z | full | 0",
                        "2026-03-02T10:00:00Z | invalid | 0");
        assertThat(results.get("Batch write latency (ms)").rows()).hasSize(1);
        assertThat(results.get("Retention runs by outcome").rows())
                .containsExactly(
                        "2026-03-02T10:00:00Z | completed | 1",
                        "2026-03-02T10:00:00Z | failed | 0",
                        "2026-03-02T10:00:00Z | skipped | 0");
        // The receiver's binder lives in otlp-receiver: its meter's stored name is the same convention's.
        assertThat(panelSql("OTLP spool backlog"))
                .contains("'" + NamingConvention.snakeCase.name("ag_storage.otlp.spool.backlog", null) + "'");
    }

    @Test
    void everyPanelReturnsExactlyTheStoredValuesOfItsRangeAndNothingElse() throws Exception {
        List<MetricPoint> points = new ArrayList<>();
        Instant h10 = T0;
        Instant h11 = T0.plus(Duration.ofHours(1));
        for (Instant hour : List.of(h10, h11, T0.plus(Duration.ofHours(5)))) { // the last one lies outside the range
            double n = hour.equals(h10) ? 1 : 2;
            points.add(
                    MetricPoint.of("ag_storage_ingestion_queue_depth", 100 * n).at(hour.plusSeconds(60)));
            points.add(
                    MetricPoint.of("ag_storage_ingestion_queue_depth", 10 * n).at(hour.plusSeconds(120)));
            points.add(MetricPoint.of("ag_storage_ingestion_dropped", 3 * n)
                    .withLabel("reason", "full")
                    .at(hour));
            points.add(MetricPoint.of("ag_storage_ingestion_dropped", 1)
                    .withLabel("reason", "full")
                    .at(hour.plusSeconds(60)));
            points.add(MetricPoint.of("ag_storage_ingestion_batch_latency", 0.004 * n)
                    .at(hour));
            points.add(MetricPoint.of("ag_storage_otlp_spool_backlog", 500 * n).at(hour));
            points.add(MetricPoint.of("ag_storage_retention_runs", 1)
                    .withLabel("outcome", "completed")
                    .at(hour));
            points.add(MetricPoint.of("ag_storage_retention_runs", n - 1)
                    .withLabel("outcome", "skipped")
                    .at(hour));
        }
        db.engine().insertMetricsBatch(points);
        GrafanaQueries grafana = new GrafanaQueries(db.schema(), h10, h11.plus(Duration.ofMinutes(59)));

        Map<String, GrafanaQueries.Result> results = runAll(grafana);

        String a = "2026-03-02T10:00:00Z | ";
        String b = "2026-03-02T11:00:00Z | ";
        assertThat(results.get("Ring buffer: samples queued").rows()).containsExactly(a + "100", b + "200");
        assertThat(results.get("Samples dropped by reason").rows()).containsExactly(a + "full | 4", b + "full | 7");
        assertThat(results.get("Batch write latency (ms)").rows()).containsExactly(a + "4", b + "8");
        assertThat(results.get("OTLP spool backlog").rows()).containsExactly(a + "500", b + "1000");
        assertThat(results.get("Retention runs by outcome").rows())
                .containsExactly(a + "completed | 1", a + "skipped | 0", b + "completed | 1", b + "skipped | 1");
        for (GrafanaQueries.Result result : results.values()) {
            assertThat(result.firstColumn()).isEqualTo("time timestamptz");
        }
    }

    @Test
    void theDashboardHasItsSchemaVariableAndEveryPanelOnTheProvisionedDatasource() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertThat(dashboard.path("uid").asText()).isEqualTo("ag-storage-health");
        assertThat(dashboard.path("templating").path("list"))
                .extracting(v -> v.path("name").asText())
                .containsExactly("schema");
        assertThat(dashboard.path("panels")).hasSize(5);
        for (JsonNode panel : dashboard.path("panels")) {
            JsonNode target = panel.path("targets").get(0);
            assertThat(target.path("datasource").path("uid").asText()).isEqualTo("ag-storage");
            assertThat(target.path("rawSql").asText()).contains("${schema:doublequote}.metrics");
        }
    }

    private Map<String, GrafanaQueries.Result> runAll(GrafanaQueries grafana) throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        Map<String, GrafanaQueries.Result> results = new LinkedHashMap<>();
        try (Connection c = db.connect()) {
            for (JsonNode panel : dashboard.path("panels")) {
                String sql = grafana.expand(
                        panel.path("targets").get(0).path("rawSql").asText(), Map.of());
                results.put(panel.path("title").asText(), GrafanaQueries.run(c, sql));
            }
        }
        return results;
    }

    private static String panelSql(String title) throws Exception {
        for (JsonNode panel : new ObjectMapper().readTree(DASHBOARD.toFile()).path("panels")) {
            if (panel.path("title").asText().equals(title)) {
                return panel.path("targets").get(0).path("rawSql").asText();
            }
        }
        throw new AssertionError("no panel " + title);
    }
}
