package io.agstorage.spring.boot;

import io.agstorage.core.StorageEngine;
import io.agstorage.execution.ExecutionStore;
import io.agstorage.execution.ExecutionStoreMetrics;
import io.agstorage.micrometer.StorageEngineMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@link StorageEngine} from {@code ag-storage.*} (on the application's {@link DataSource} when there is one and
 * {@code ag-storage.url} is unset; else on a pool of its own), which runs its own retention scheduler unless
 * {@code ag-storage.retention.enabled} is false; an {@link ExecutionStore} when the execution recorder is on the class
 * path; and the library's meter binders, which Boot binds to every {@link MeterRegistry}. Each bean backs off when the
 * application defines its own.
 */
@AutoConfiguration(afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnClass(StorageEngine.class)
@EnableConfigurationProperties(AgStorageProperties.class)
public final class AgStorageAutoConfiguration {

    /** The engine; closed (flushing what is buffered, stopping its retention scheduler) with the context. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    StorageEngine agStorageEngine(AgStorageProperties properties, ObjectProvider<DataSource> dataSources) {
        DataSource dataSource = properties.getUrl() == null ? dataSources.getIfUnique() : null;
        return dataSource != null
                ? StorageEngine.create(properties.toStorageConfig(false), dataSource)
                : StorageEngine.create(properties.toStorageConfig(true));
    }

    /** The execution recorder's store, writing through the engine. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(ExecutionStore.class)
    @ConditionalOnProperty(prefix = "ag-storage.execution", name = "enabled", matchIfMissing = true)
    static final class ExecutionStoreConfiguration {

        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        ExecutionStore agStorageExecutionStore(StorageEngine engine, AgStorageProperties properties) {
            ExecutionStore.Builder builder = ExecutionStore.builder().storageEngine(engine);
            Path journal = properties.getExecution().getJournalDirectory();
            if (journal != null) {
                builder.journalDirectory(journal);
            }
            return builder.build();
        }

        @Bean
        @ConditionalOnClass(MeterBinder.class)
        @ConditionalOnMissingBean
        ExecutionStoreMetrics agStorageExecutionStoreMetrics(ExecutionStore store) {
            return new ExecutionStoreMetrics(store);
        }
    }

    /** The engine's and the retention scheduler's own meters. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({MeterBinder.class, StorageEngineMetrics.class})
    static final class EngineMetricsConfiguration {

        @Bean
        @ConditionalOnMissingBean
        StorageEngineMetrics agStorageEngineMetrics(StorageEngine engine) {
            return new StorageEngineMetrics(engine);
        }

        @Bean
        @ConditionalOnMissingBean
        EngineRetentionMetrics agStorageRetentionMetrics(StorageEngine engine) {
            return new EngineRetentionMetrics(engine);
        }
    }
}
