package io.agstorage.spring.boot;

import io.agstorage.core.StorageEngine;
import io.agstorage.micrometer.TimescaleConfig;
import io.agstorage.micrometer.TimescaleMeterRegistry;
import io.micrometer.core.instrument.Clock;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.ConditionalOnEnabledMetricsExport;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * The {@link TimescaleMeterRegistry} from {@code management.timescale.metrics.export.*}, publishing through the
 * {@link StorageEngine} bean, structured as Boot's own registry export auto-configurations: on when
 * {@code management.timescale.metrics.export.enabled} (or {@code management.defaults.metrics.export.enabled}) is not
 * false, before the composite and simple registries, backing off from a registry or config the application defines.
 */
@AutoConfiguration(
        before = {CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class},
        after = {MetricsAutoConfiguration.class, AgStorageAutoConfiguration.class})
@ConditionalOnBean({Clock.class, StorageEngine.class})
@ConditionalOnClass(TimescaleMeterRegistry.class)
@ConditionalOnEnabledMetricsExport("timescale")
@EnableConfigurationProperties(TimescaleProperties.class)
public final class TimescaleMetricsExportAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    TimescaleConfig timescaleConfig(TimescaleProperties properties) {
        return new TimescalePropertiesConfigAdapter(properties);
    }

    /** Closed with the context, before the engine it publishes through (a last publish included). */
    @Bean
    @ConditionalOnMissingBean
    TimescaleMeterRegistry timescaleMeterRegistry(TimescaleConfig config, Clock clock, StorageEngine engine) {
        return TimescaleMeterRegistry.builder(config)
                .clock(clock)
                .storageEngine(engine)
                .build();
    }
}
