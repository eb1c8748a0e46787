package io.agstorage.spring.boot;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.properties.StepRegistryProperties;

/**
 * {@code management.timescale.metrics.export.*}: the {@code TimescaleMeterRegistry}, as Boot configures its own
 * registries ({@code enabled}, {@code step}, {@code batch-size}, ...). The registry publishes through the
 * auto-configured {@code StorageEngine} ({@code ag-storage.*}).
 */
@ConfigurationProperties("management.timescale.metrics.export")
public class TimescaleProperties extends StepRegistryProperties {

    /** How long one publish waits for its rows to be committed. */
    private Duration publishTimeout = Duration.ofSeconds(10);

    public Duration getPublishTimeout() {
        return publishTimeout;
    }

    public void setPublishTimeout(Duration publishTimeout) {
        this.publishTimeout = publishTimeout;
    }
}
