package io.agstorage.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agstorage.core.StorageConfig;
import io.micrometer.core.instrument.config.validate.ValidationException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TimescaleConfigTest {

    private final Map<String, String> props = new HashMap<>();
    private final TimescaleConfig config = props::get;

    @Test
    void defaultsAreValidAndDocumented() {
        assertThat(TimescaleConfig.DEFAULT.validate().isValid()).isTrue();
        assertThat(config.prefix()).isEqualTo("timescale");
        assertThat(config.step()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.enabled()).isTrue();
        assertThat(config.url()).isNull();
        assertThat(config.user()).isNull();
        assertThat(config.password()).isNull();
        assertThat(config.schema()).isNull();
        assertThat(config.maxConnections()).isNull();
        assertThat(config.batchSize()).isEqualTo(10_000);
        assertThat(config.baseTimeUnit()).isEqualTo(TimeUnit.SECONDS);
        assertThat(config.publishTimeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void everyKeyIsReadUnderTheTimescalePrefix() {
        props.put("timescale.url", "jdbc:postgresql://db:5432/metrics");
        props.put("timescale.user", "bot");
        props.put("timescale.password", "s3cret");
        props.put("timescale.schema", "bot_metrics");
        props.put("timescale.maxConnections", "4");
        props.put("timescale.batchSize", "2000");
        props.put("timescale.baseTimeUnit", "milliseconds");
        props.put("timescale.publishTimeout", "3s");
        props.put("timescale.step", "10s");
        assertThat(config.validate().isValid()).isTrue();
        assertThat(config.url()).isEqualTo("jdbc:postgresql://db:5432/metrics");
        assertThat(config.user()).isEqualTo("bot");
        assertThat(config.password()).isEqualTo("s3cret");
        assertThat(config.schema()).isEqualTo("bot_metrics");
        assertThat(config.maxConnections()).isEqualTo(4);
        assertThat(config.batchSize()).isEqualTo(2000);
        assertThat(config.baseTimeUnit()).isEqualTo(TimeUnit.MILLISECONDS);
        assertThat(config.publishTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.step()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void aUrlThatIsNotPostgresIsRefusedWithItsPasswordMasked() {
        props.put("timescale.url", "mysql://db/x?password=hunter2");
        assertInvalid("timescale.url was 'mysql://db/x?password=****' but it must start with jdbc:postgresql:");
    }

    @Test
    void aBlankUserIsRefused() {
        props.put("timescale.user", " ");
        assertInvalid("timescale.user was ' ' but it must not be blank");
    }

    @Test
    void aSchemaThatIsNotALowercaseIdentifierIsRefused() {
        props.put("timescale.schema", "Bot-Metrics");
        assertInvalid("timescale.schema was 'Bot-Metrics' but it must match [a-z_][a-z0-9_]{0,62}");
    }

    @Test
    void maxConnectionsOutOfRangeOrNotANumberIsRefused() {
        props.put("timescale.maxConnections", "1");
        assertInvalid("timescale.maxConnections was '1' but it must be between 2 and 1000");
        props.put("timescale.maxConnections", "many");
        assertInvalid("timescale.maxConnections was 'many' but it must be an integer");
    }

    @Test
    void aBatchSizeThatIsNotPositiveIsRefused() {
        props.put("timescale.batchSize", "0");
        assertInvalid("timescale.batchSize was '0' but it must be > 0");
    }

    @Test
    void anUnknownBaseTimeUnitIsRefused() {
        props.put("timescale.baseTimeUnit", "fortnights");
        assertInvalid("timescale.baseTimeUnit was 'fortnights' but it must contain a valid time unit");
    }

    @Test
    void aPublishTimeoutThatIsNotPositiveIsRefused() {
        props.put("timescale.publishTimeout", "0s");
        assertInvalid("timescale.publishTimeout was 'PT0S' but it must be positive");
        props.put("timescale.publishTimeout", "soon");
        assertInvalid("timescale.publishTimeout was 'soon' but it must be a valid duration value");
    }

    @Test
    void aMalformedStepIsRefused() {
        props.put("timescale.step", "every minute");
        assertInvalid("timescale.step was 'every minute' but it must be a valid duration value");
    }

    @Test
    void aStepShorterThanAMillisecondIsRefused() {
        props.put("timescale.step", "0s");
        assertInvalid("timescale.step was 'PT0S' but it must be at least 1ms");
    }

    @Test
    void enabledMustBeTrueOrFalseSoATypoNeverSilentlyDisablesTheRegistry() {
        props.put("timescale.enabled", "ture");
        assertInvalid("timescale.enabled was 'ture' but it must be true or false");
        props.put("timescale.enabled", "FALSE");
        assertThat(config.validate().isValid()).isTrue();
        assertThat(config.enabled()).isFalse();
    }

    @Test
    void aMalformedBatchSizeIsReportedOnce() {
        props.put("timescale.batchSize", "lots");
        assertInvalid("timescale.batchSize was 'lots' but it must be an integer");
    }

    @Test
    void everyFailureIsReportedAtOnce() {
        props.put("timescale.schema", "X");
        props.put("timescale.batchSize", "-1");
        assertThat(config.validate().failures()).hasSize(2);
        assertThatThrownBy(config::requireValid)
                .isInstanceOf(ValidationException.class)
                .hasMessage("Multiple validation failures:\n"
                        + "timescale.schema was 'X' but it must match [a-z_][a-z0-9_]{0,62}\n"
                        + "timescale.batchSize was '-1' but it must be > 0");
    }

    @Test
    void thePasswordNeverAppearsInValidationMessages() {
        props.put("timescale.password", "hunter2");
        props.put("timescale.url", "jdbc:mysql://db/x?password=hunter2");
        assertThatThrownBy(config::requireValid).message().doesNotContain("hunter2");
    }

    @Test
    void storageConfigTakesEveryDatabaseKeySet() {
        props.put("timescale.url", "jdbc:postgresql://db:5432/metrics");
        props.put("timescale.user", "bot");
        props.put("timescale.password", "s3cret");
        props.put("timescale.schema", "bot_metrics");
        props.put("timescale.maxConnections", "4");
        props.put("timescale.batchSize", "2000");
        StorageConfig storage = config.toStorageConfig();
        assertThat(storage.jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/metrics");
        assertThat(storage.user()).isEqualTo("bot");
        assertThat(storage.password()).isEqualTo("s3cret");
        assertThat(storage.schema()).isEqualTo("bot_metrics");
        assertThat(storage.maxConnections()).isEqualTo(4);
        assertThat(storage.batchSize()).isEqualTo(2000);
        assertThat(storage.toString()).doesNotContain("s3cret");
    }

    @Test
    void storageConfigLeavesUnsetKeysToTheEnvironmentAndCoreDefaults() {
        StorageConfig fromEnvironment = StorageConfig.defaults();
        StorageConfig storage = TimescaleConfig.DEFAULT.toStorageConfig();
        assertThat(storage.toString()).isEqualTo(fromEnvironment.toString());
    }

    @Test
    void storageConfigReportsTheCoresRuleWhenABatchSizeExceedsTheBuffer() {
        props.put("timescale.batchSize", "200000");
        assertThatThrownBy(config::toStorageConfig)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("ingestion.batch_size must be <= ingestion.max_buffer_size (");
    }

    private void assertInvalid(String message) {
        assertThat(config.validate().isValid()).isFalse();
        assertThatThrownBy(config::requireValid)
                .isInstanceOf(ValidationException.class)
                .hasMessage(message);
    }
}
