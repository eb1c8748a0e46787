package io.agstorage.micrometer;

import static io.micrometer.core.instrument.config.MeterRegistryConfigValidator.check;
import static io.micrometer.core.instrument.config.MeterRegistryConfigValidator.checkAll;
import static io.micrometer.core.instrument.config.MeterRegistryConfigValidator.checkRequired;
import static io.micrometer.core.instrument.config.validate.PropertyValidator.getDuration;
import static io.micrometer.core.instrument.config.validate.PropertyValidator.getInteger;
import static io.micrometer.core.instrument.config.validate.PropertyValidator.getSecret;
import static io.micrometer.core.instrument.config.validate.PropertyValidator.getString;
import static io.micrometer.core.instrument.config.validate.PropertyValidator.getTimeUnit;

import io.agstorage.core.Sql;
import io.agstorage.core.StorageConfig;
import io.agstorage.micrometer.internal.ConfigRules;
import io.micrometer.core.instrument.config.validate.InvalidReason;
import io.micrometer.core.instrument.config.validate.Validated;
import io.micrometer.core.instrument.step.StepRegistryConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Configuration of a {@link TimescaleMeterRegistry}, read the Micrometer way: every key is
 * {@code timescale.<name>}, looked up through {@link #get(String)} (a {@code Properties::getProperty}, a Spring
 * {@code Environment}, or {@link #DEFAULT} for the defaults).
 *
 * <p>Database keys left unset fall back to the storage core's own configuration, so the
 * {@code AG_STORAGE_DATABASE_URL}, {@code AG_STORAGE_DATABASE_USER}, ... environment variables still apply:
 * {@code new TimescaleMeterRegistry(TimescaleConfig.DEFAULT, Clock.SYSTEM)} connects to whatever the environment
 * names (see {@link #toStorageConfig()}).
 *
 * <pre>{@code
 * TimescaleConfig config = key -> switch (key) {
 *     case "timescale.url" -> "jdbc:postgresql://db:5432/metrics";
 *     case "timescale.step" -> "10s";
 *     default -> null;
 * };
 * }</pre>
 */
public interface TimescaleConfig extends StepRegistryConfig {

    /** The defaults (every key unset); database settings then come from the {@code AG_STORAGE_*} environment. */
    TimescaleConfig DEFAULT = k -> null;

    @Override
    default String prefix() {
        return "timescale";
    }

    /**
     * {@code timescale.url}: the JDBC URL of the TimescaleDB database, starting with {@code jdbc:postgresql:}.
     *
     * @return the URL; default {@code null}: {@code AG_STORAGE_DATABASE_URL}, else the storage core's default
     *     {@code jdbc:postgresql://localhost:5432/ag_storage}
     */
    default @Nullable String url() {
        return getString(this, "url").orElse(null);
    }

    /**
     * {@code timescale.user}: the database user.
     *
     * @return the user; default {@code null}: {@code AG_STORAGE_DATABASE_USER}, else {@code postgres}
     */
    default @Nullable String user() {
        return getString(this, "user").orElse(null);
    }

    /**
     * {@code timescale.password}: the database password; a secret, never logged or shown by validation.
     *
     * @return the password; default {@code null}: {@code AG_STORAGE_DATABASE_PASSWORD}, else empty
     */
    default @Nullable String password() {
        return getSecret(this, "password").orElse(null);
    }

    /**
     * {@code timescale.schema}: the schema holding ag-storage's tables; must match {@code [a-z_][a-z0-9_]{0,62}}.
     *
     * @return the schema; default {@code null}: {@code AG_STORAGE_DATABASE_SCHEMA}, else {@code ag_storage}
     */
    default @Nullable String schema() {
        return getString(this, "schema").orElse(null);
    }

    /**
     * {@code timescale.maxConnections}: the size of the connection pool the registry opens when it creates its
     * own storage engine; between 2 and 1,000.
     *
     * @return the pool size; default {@code null}: {@code AG_STORAGE_DATABASE_MAX_CONNECTIONS}, else 10
     */
    default @Nullable Integer maxConnections() {
        return getInteger(this, "maxConnections").orElse(null);
    }

    /**
     * {@code timescale.batchSize}: the writer's batch size ({@code ingestion.batch_size}) when the registry creates
     * its own storage engine; must be positive. Explicitly set, it overrides {@code AG_STORAGE_INGESTION_BATCH_SIZE}.
     *
     * @return the batch size; default 10,000
     */
    @Override
    default int batchSize() {
        return StepRegistryConfig.super.batchSize();
    }

    /**
     * {@code timescale.baseTimeUnit}: the unit timers, long task timers and time gauges are stored in.
     *
     * @return the unit; default {@link TimeUnit#SECONDS}
     */
    default TimeUnit baseTimeUnit() {
        return getTimeUnit(this, "baseTimeUnit").orElse(TimeUnit.SECONDS);
    }

    /**
     * {@code timescale.publishTimeout}: how long one publish waits for its batch to be committed (after waiting, only
     * when the engine's buffer is full, up to its {@code ingestion.write_timeout_ms} for room). A publish that times
     * out is counted and logged; its samples stay buffered and are written when the database answers.
     *
     * @return the timeout; default 10 seconds
     */
    default Duration publishTimeout() {
        return getDuration(this, "publishTimeout").orElse(Duration.ofSeconds(10));
    }

    /**
     * Checks every key; {@link TimescaleMeterRegistry} calls {@link #requireValid()} at construction.
     */
    @Override
    default Validated<?> validate() {
        return checkAll(
                this,
                c -> StepRegistryConfig.validate(c),
                check("url", (TimescaleConfig c) -> ConfigRules.maskedUrl(c.url()))
                        .andThen(v -> v.invalidateWhen(
                                u -> u != null && !u.startsWith(ConfigRules.URL_PREFIX),
                                "must start with " + ConfigRules.URL_PREFIX,
                                InvalidReason.MALFORMED)),
                check("user", TimescaleConfig::user)
                        .andThen(v -> v.invalidateWhen(
                                u -> u != null && u.isBlank(), "must not be blank", InvalidReason.MALFORMED)),
                check("password", TimescaleConfig::password),
                check("schema", TimescaleConfig::schema)
                        .andThen(v -> v.invalidateWhen(
                                s -> s != null && !Sql.isIdentifier(s),
                                "must match " + Sql.IDENTIFIER_RULE,
                                InvalidReason.MALFORMED)),
                check("maxConnections", TimescaleConfig::maxConnections)
                        .andThen(v -> v.invalidateWhen(
                                n -> n != null && (n < 2 || n > 1_000),
                                "must be between 2 and 1000",
                                InvalidReason.MALFORMED)),
                c -> getInteger(c, "batchSize").isValid()
                        ? getInteger(c, "batchSize")
                                .invalidateWhen(n -> n != null && n <= 0, "must be > 0", InvalidReason.MALFORMED)
                        : Validated.none(), // a malformed number is reported by StepRegistryConfig.validate
                c -> getDuration(c, "step").isValid()
                        ? getDuration(c, "step")
                                .invalidateWhen(
                                        d -> d != null && d.toMillis() <= 0,
                                        "must be at least 1ms",
                                        InvalidReason.MALFORMED)
                        : Validated.none(),
                c -> booleanKey(c, "enabled"),
                checkRequired("baseTimeUnit", TimescaleConfig::baseTimeUnit),
                checkRequired("publishTimeout", TimescaleConfig::publishTimeout)
                        .andThen(v -> v.invalidateWhen(
                                d -> d.isNegative() || d.isZero(), "must be positive", InvalidReason.MALFORMED)));
    }

    /** Micrometer reads any text but {@code true} as false; a typo must not silently disable the registry. */
    private static Validated<?> booleanKey(TimescaleConfig c, String key) {
        String property = c.prefix() + "." + key;
        String raw = c.get(property);
        if (raw == null || raw.trim().equalsIgnoreCase("true") || raw.trim().equalsIgnoreCase("false")) {
            return Validated.valid(property, raw);
        }
        return Validated.invalid(property, raw, "must be true or false", InvalidReason.MALFORMED);
    }

    /**
     * The storage core's configuration for this registry's own engine: the {@code AG_STORAGE_*} environment (or the
     * core's defaults), overridden by every {@code timescale.*} database key that is set here.
     *
     * @throws IllegalArgumentException when a value breaks one of the core's rules (named key, rule and value)
     */
    default StorageConfig toStorageConfig() {
        StorageConfig.Builder builder = StorageConfig.builder().environment(System.getenv());
        String url = url();
        if (url != null) {
            builder.setUrl(url);
        }
        String user = user();
        if (user != null) {
            builder.setUser(user);
        }
        String password = password();
        if (password != null) {
            builder.setPassword(password);
        }
        String schema = schema();
        if (schema != null) {
            builder.setSchema(schema);
        }
        Integer maxConnections = maxConnections();
        if (maxConnections != null) {
            builder.setMaxConnections(maxConnections);
        }
        if (get(prefix() + ".batchSize") != null) {
            builder.setBatchSize(batchSize());
        }
        return builder.build();
    }
}
