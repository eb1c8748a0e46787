package io.agstorage.micrometer.internal;

import io.agstorage.core.Masking;
import org.jspecify.annotations.Nullable;

/** The rules {@link io.agstorage.micrometer.TimescaleConfig#validate()} checks, the same as the storage core's. */
public final class ConfigRules {

    /** The JDBC URLs the storage core accepts. */
    public static final String URL_PREFIX = "jdbc:postgresql:";

    private ConfigRules() {}

    /** The URL with any password replaced by {@code ****}, fit for a validation message. */
    public static @Nullable String maskedUrl(@Nullable String url) {
        return url == null ? null : Masking.maskJdbcUrl(url);
    }
}
