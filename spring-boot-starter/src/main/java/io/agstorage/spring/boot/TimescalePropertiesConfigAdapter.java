package io.agstorage.spring.boot;

import io.agstorage.micrometer.TimescaleConfig;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.properties.StepRegistryPropertiesConfigAdapter;

/** {@link TimescaleProperties} seen as a {@link TimescaleConfig}. */
final class TimescalePropertiesConfigAdapter extends StepRegistryPropertiesConfigAdapter<TimescaleProperties>
        implements TimescaleConfig {

    TimescalePropertiesConfigAdapter(TimescaleProperties properties) {
        super(properties);
    }

    @Override
    public String prefix() {
        return "management.timescale.metrics.export";
    }

    @Override
    public @Nullable String get(String key) {
        return null;
    }

    @Override
    public Duration publishTimeout() {
        return obtain(TimescaleProperties::getPublishTimeout, TimescaleConfig.super::publishTimeout);
    }
}
