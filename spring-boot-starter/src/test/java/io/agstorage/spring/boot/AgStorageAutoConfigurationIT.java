package io.agstorage.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.agstorage.core.StorageEngine;
import io.agstorage.core.testing.DatabaseExtension;
import io.agstorage.execution.ExecutionStore;
import io.agstorage.micrometer.StorageEngineMetrics;
import io.agstorage.micrometer.TimescaleMeterRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The auto-configurations against the real database (Apache tier), each condition on and off. */
class AgStorageAutoConfigurationIT {

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("boot");

    @TempDir
    Path journal;

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        MetricsAutoConfiguration.class,
                        CompositeMeterRegistryAutoConfiguration.class,
                        SimpleMetricsExportAutoConfiguration.class,
                        AgStorageAutoConfiguration.class,
                        TimescaleMetricsExportAutoConfiguration.class))
                .withPropertyValues(
                        "ag-storage.url=" + db.url(),
                        "ag-storage.schema=" + db.schema(),
                        "ag-storage.max-connections=4",
                        "ag-storage.buffer.flush-interval=100ms",
                        "ag-storage.execution.journal-directory=" + journal);
    }

    @Test
    void anEngineFromTheAgStoragePropertiesWithItsOwnRetentionSchedulerStoreBindersAndRegistry() {
        runner().withPropertyValues("ag-storage.retention.interval=1h", "ag-storage.retention.initial-delay=1h")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    StorageEngine engine = context.getBean(StorageEngine.class);
                    assertThat(engine.config().schema()).isEqualTo(db.schema());
                    assertThat(engine.config().flushIntervalMs()).isEqualTo(100);
                    assertThat(engine.retentionScheduler()).isNotNull();
                    assertThat(engine.retentionScheduler().interval()).hasHours(1);
                    assertThat(context).hasSingleBean(ExecutionStore.class);
                    assertThat(context).hasSingleBean(StorageEngineMetrics.class);
                    assertThat(context).hasSingleBean(TimescaleMeterRegistry.class);
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    assertThat(registry.find("ag_storage.ingestion.buffer.size").meter())
                            .as("the library's binders registered in the MeterRegistry")
                            .isNotNull();
                    assertThat(registry.find("ag_storage.retention.runs").meters())
                            .isNotEmpty();
                });
    }

    @Test
    void anyOtherStorageConfigKeyIsSetByItsYamlNameAndABadValueFailsTheStartNamingIt() {
        runner().withPropertyValues("ag-storage.retention.enabled=false", "ag-storage.settings[limits.max_series]=500")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(StorageEngine.class)
                                    .config()
                                    .limits()
                                    .maxSeries())
                            .isEqualTo(500);
                });
        runner().withPropertyValues("ag-storage.buffer.batch-size=0")
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .hasMessage("ingestion.batch_size must be > 0, was 0"));
    }

    @Test
    void retentionEnabledFalseStartsNoScheduler() {
        runner().withPropertyValues("ag-storage.retention.enabled=false").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(StorageEngine.class).retentionScheduler())
                    .isNull();
        });
    }

    @Test
    void theRegistryIsOffWhenItsExportIsDisabled() {
        runner().withPropertyValues("management.timescale.metrics.export.enabled=false")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).doesNotHaveBean(TimescaleMeterRegistry.class);
                    assertThat(context).hasSingleBean(StorageEngine.class);
                });
    }

    @Test
    void theRegistryTakesTheExportProperties() {
        runner().withPropertyValues(
                        "management.timescale.metrics.export.step=10s",
                        "management.timescale.metrics.export.batch-size=500")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    TimescaleMeterRegistry registry = context.getBean(TimescaleMeterRegistry.class);
                    assertThat(registry.storageEngine()).isSameAs(context.getBean(StorageEngine.class));
                    io.agstorage.micrometer.TimescaleConfig config =
                            context.getBean(io.agstorage.micrometer.TimescaleConfig.class);
                    assertThat(config.step()).hasSeconds(10);
                    assertThat(config.batchSize()).isEqualTo(500);
                });
    }

    @Test
    void withoutTheExecutionRecorderOnTheClassPathThereIsNoStore() {
        runner().withClassLoader(new FilteredClassLoader(ExecutionStore.class)).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean("agStorageExecutionStore");
            assertThat(context).hasSingleBean(StorageEngine.class);
        });
    }

    @Test
    void theApplicationsDataSourceIsUsedWhenThereIsOneAndNoUrl() {
        HikariDataSource own = new HikariDataSource();
        own.setJdbcUrl(db.url());
        own.setMaximumPoolSize(4);
        try (own) {
            new ApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(AgStorageAutoConfiguration.class))
                    .withBean(DataSource.class, () -> own, d -> d.setDestroyMethodName(""))
                    .withPropertyValues(
                            "ag-storage.schema=" + db.schema(),
                            "ag-storage.retention.enabled=false",
                            "ag-storage.execution.enabled=false")
                    .run(context -> {
                        assertThat(context).hasNotFailed();
                        assertThat(context.getBean(StorageEngine.class).dataSource())
                                .isSameAs(own);
                        assertThat(context).doesNotHaveBean(ExecutionStore.class);
                    });
            assertThat(own.isClosed())
                    .as("the application's pool is never closed by the engine")
                    .isFalse();
        }
    }

    @Test
    void beansTheApplicationDefinesMakeTheAutoConfigurationBackOff() {
        try (StorageEngine mine = StorageEngine.create(db.config().build())) {
            runner().withBean("myEngine", StorageEngine.class, () -> mine, d -> d.setDestroyMethodName(""))
                    .run(context -> {
                        assertThat(context).hasNotFailed();
                        assertThat(context).hasSingleBean(StorageEngine.class);
                        assertThat(context.getBean(StorageEngine.class)).isSameAs(mine);
                        assertThat(context.getBean(TimescaleMeterRegistry.class).storageEngine())
                                .isSameAs(mine);
                    });
            assertThat(mine.isClosed()).isFalse();
        }
    }

    @Test
    void theConfigurationMetadataNamesTheKeys() throws Exception {
        String json;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("spring-configuration-metadata.json generated").isNotNull();
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(json)
                .contains(
                        "\"ag-storage.url\"",
                        "\"ag-storage.schema\"",
                        "\"ag-storage.buffer.batch-size\"",
                        "\"ag-storage.retention.enabled\"",
                        "\"ag-storage.retention.interval\"",
                        "\"ag-storage.retention.metrics-retention-days\"",
                        "\"management.timescale.metrics.export.enabled\"",
                        "\"management.timescale.metrics.export.step\"",
                        "\"management.timescale.metrics.export.batch-size\"",
                        "\"management.timescale.metrics.export.publish-timeout\"");
    }
}
