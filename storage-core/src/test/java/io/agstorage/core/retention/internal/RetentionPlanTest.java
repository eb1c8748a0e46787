package io.agstorage.core.retention.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agstorage.core.retention.RetainedTable;
import io.agstorage.core.retention.RetentionContributor;
import io.agstorage.core.retention.RetentionSetting;
import io.agstorage.core.retention.RollupDefinition;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetentionPlanTest {

    /** A contributor of the kind another module registers; here only to exercise the merge. */
    static final class AuditRetention implements RetentionContributor {
        @Override
        public String name() {
            return "audit";
        }

        @Override
        public List<RetainedTable> hypertables() {
            return List.of(RetainedTable.of("audit_events", RetentionSetting.EXECUTIONS));
        }

        @Override
        public List<String> regularTables() {
            return List.of("audit_subjects");
        }
    }

    @Test
    void storageCoreContributesOnlyTheMetricTablesAndRollupsAndNothingElseIsOnItsClassPath() {
        RetentionPlan plan = RetentionPlan.load(List.of());

        assertThat(plan.contributors()).extracting(RetentionContributor::name).containsExactly("metrics");
        assertThat(plan.hypertables())
                .containsExactly(
                        RetainedTable.compressed("samples", RetentionSetting.METRICS, "series_id", "time"),
                        RetainedTable.compressed("histograms", RetentionSetting.METRICS, "series_id", "time"),
                        RetainedTable.of("exemplars", RetentionSetting.METRICS));
        assertThat(plan.compressed()).extracting(RetainedTable::name).containsExactly("samples", "histograms");
        assertThat(plan.rollupNames()).containsExactly("metrics_hourly", "metrics_daily");
        assertThat(plan.relations())
                .containsExactly("series", "samples", "histograms", "exemplars", "metrics_hourly", "metrics_daily");
    }

    @Test
    void contributorsAddedByHandFollowInOrderAndOneClassCountsOnce() {
        RetentionPlan plan = RetentionPlan.load(List.of(new AuditRetention(), new AuditRetention()));

        assertThat(plan.contributors()).extracting(RetentionContributor::name).containsExactly("metrics", "audit");
        assertThat(plan.hypertableNames()).containsExactly("samples", "histograms", "exemplars", "audit_events");
        assertThat(plan.hypertables().get(3).compression()).isNull();
        assertThat(plan.relations())
                .containsExactly(
                        "series",
                        "samples",
                        "histograms",
                        "exemplars",
                        "audit_subjects",
                        "audit_events",
                        "metrics_hourly",
                        "metrics_daily");
    }

    @Test
    void aRelationContributedTwiceIsRefusedNamingBothContributors() {
        RetentionContributor clash = new RetentionContributor() {
            @Override
            public String name() {
                return "clash";
            }

            @Override
            public List<RetainedTable> hypertables() {
                return List.of();
            }

            @Override
            public List<RollupDefinition> rollups() {
                return List.of(MetricsRetention.METRICS_DAILY);
            }
        };

        assertThatThrownBy(() -> RetentionPlan.load(List.of(clash)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("retention: relation 'metrics_daily' is contributed twice, by 'metrics' and by 'clash'");
    }

    @Test
    void namesThatAreNotPlainIdentifiersAreRefused() {
        assertThatThrownBy(() -> RetainedTable.of("fills; DROP TABLE x", RetentionSetting.EXECUTIONS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("identifier must match [a-z_][a-z0-9_]{0,62}, was 'fills; DROP TABLE x'");
        assertThatThrownBy(() -> RetainedTable.compressed("samples", RetentionSetting.METRICS, "Series", "time"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("identifier must match [a-z_][a-z0-9_]{0,62}, was 'Series'");
        assertThatThrownBy(() -> new RollupDefinition.Column("a b", "count(*)"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("identifier must match [a-z_][a-z0-9_]{0,62}, was 'a b'");
    }

    @Test
    void eachSettingReadsItsDaysFromTheConfigurationAndNamesItsKey() {
        io.agstorage.core.StorageConfig config = io.agstorage.core.StorageConfig.builder()
                .setUrl("jdbc:postgresql://127.0.0.1:1/x")
                .setMetricsRetentionDays(30)
                .setExecutionRetentionDays(400)
                .build();

        assertThat(RetentionSetting.METRICS.days(config)).isEqualTo(30);
        assertThat(RetentionSetting.EXECUTIONS.days(config)).isEqualTo(400);
        assertThat(RetentionSetting.METRICS.key()).isEqualTo("retention.metrics_retention_days");
        assertThat(RetentionSetting.EXECUTIONS.key()).isEqualTo("retention.execution_retention_days");
    }
}
