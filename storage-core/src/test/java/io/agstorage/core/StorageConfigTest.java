package io.agstorage.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorageConfigTest {

    @Test
    void defaultsMatchTheDocumentation() {
        StorageConfig c = StorageConfig.builder().build();

        assertThat(c.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/ag_storage");
        assertThat(c.schema()).isEqualTo("ag_storage");
        assertThat(c.maxConnections()).isEqualTo(10);
        assertThat(c.batchSize()).isEqualTo(10_000);
        assertThat(c.flushIntervalMs()).isEqualTo(1_000);
        assertThat(c.maxBufferSize()).isEqualTo(100_000);
        assertThat(c.writeMethod()).isEqualTo(WriteMethod.AUTO);
        assertThat(c.metricsRetentionDays()).isEqualTo(90);
        assertThat(c.compressionAfterDays()).isEqualTo(7);
        assertThat(c.maxResults()).isEqualTo(100_000);
        assertThat(c.enableCache()).isTrue();
        assertThat(c.migrate()).isTrue();
    }

    @Test
    void readsTheSeedsYamlKeys() {
        StorageConfig c = StorageConfig.builder().yaml("""
                database:
                  host: db.internal
                  port: 6543
                  database: bot
                  user: writer
                  password: s3cret
                  max_connections: 20
                  connection_timeout_sec: 5
                ingestion:
                  batch_size: 5000
                  flush_interval_ms: 250
                  max_buffer_size: 50000
                  write_method: insert
                retention:
                  metrics_retention_days: 30
                  execution_retention_days: 400
                  compression_after_days: 3
                query:
                  max_results: 500
                  cache_ttl_sec: 10
                  enable_cache: false
                """).build();

        assertThat(c.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6543/bot");
        assertThat(c.user()).isEqualTo("writer");
        assertThat(c.password()).isEqualTo("s3cret");
        assertThat(c.maxConnections()).isEqualTo(20);
        assertThat(c.connectionTimeoutSec()).isEqualTo(5);
        assertThat(c.batchSize()).isEqualTo(5000);
        assertThat(c.flushIntervalMs()).isEqualTo(250);
        assertThat(c.maxBufferSize()).isEqualTo(50_000);
        assertThat(c.writeMethod()).isEqualTo(WriteMethod.INSERT);
        assertThat(c.metricsRetentionDays()).isEqualTo(30);
        assertThat(c.executionRetentionDays()).isEqualTo(400);
        assertThat(c.compressionAfterDays()).isEqualTo(3);
        assertThat(c.maxResults()).isEqualTo(500);
        assertThat(c.cacheTtlSec()).isEqualTo(10);
        assertThat(c.enableCache()).isFalse();
    }

    @Test
    void readsAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, "database:\n  schema: bot_metrics\n");

        assertThat(StorageConfig.fromYamlFile(file).schema()).isEqualTo("bot_metrics");
    }

    @Test
    void environmentOverridesYaml() {
        StorageConfig c = StorageConfig.builder()
                .yaml("ingestion:\n  batch_size: 5000\n")
                .environment(Map.of(
                        "AG_STORAGE_INGESTION_BATCH_SIZE",
                        "2000",
                        "AG_STORAGE_DATABASE_URL",
                        "jdbc:postgresql://h:1/d",
                        "AG_STORAGE_TEST_URL",
                        "ignored",
                        "PATH",
                        "/bin"))
                .build();

        assertThat(c.batchSize()).isEqualTo(2000);
        assertThat(c.jdbcUrl()).isEqualTo("jdbc:postgresql://h:1/d");
    }

    @Test
    void badEnvironmentValueNamesTheVariable() {
        assertThatThrownBy(() -> StorageConfig.builder().environment(Map.of("AG_STORAGE_INGESTION_BATCH_SIZE", "-1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ingestion.batch_size must be > 0, was -1 (from environment variable "
                        + "AG_STORAGE_INGESTION_BATCH_SIZE)");
    }

    @Test
    void unknownYamlKeyIsAnErrorNamingIt() {
        assertThatThrownBy(() -> StorageConfig.builder().yaml("ingestion:\n  batch_sise: 10\n"))
                .hasMessage("unknown configuration key 'ingestion.batch_sise'");
        assertThatThrownBy(() -> StorageConfig.builder().yaml("ingestoin:\n  batch_size: 10\n"))
                .hasMessage("unknown configuration key 'ingestoin.batch_size'");
        assertThatThrownBy(() -> StorageConfig.builder().yaml("batch_size: 10\n"))
                .hasMessage("unknown configuration key 'batch_size' (expected one of the sections database, ingestion, "
                        + "retention, query, limits)");
    }

    @Test
    void badValuesNameTheKeyTheRuleAndTheValue() {
        assertThatThrownBy(() -> StorageConfig.builder().yaml("ingestion:\n  batch_size: -1\n"))
                .hasMessage("ingestion.batch_size must be > 0, was -1");
        assertThatThrownBy(() -> StorageConfig.builder().yaml("ingestion:\n  batch_size: lots\n"))
                .hasMessage("ingestion.batch_size must be an integer, was 'lots'");
        assertThatThrownBy(() -> StorageConfig.builder().setPort(70_000))
                .hasMessage("database.port must be <= 65535, was 70000");
        assertThatThrownBy(() -> StorageConfig.builder().setMaxConnections(1))
                .hasMessage("database.max_connections must be >= 2, was 1");
        assertThatThrownBy(() -> StorageConfig.builder().setMaxBufferSize(10))
                .hasMessage("ingestion.max_buffer_size must be >= 64, was 10");
        assertThatThrownBy(() -> StorageConfig.builder().setFlushIntervalMs(0))
                .hasMessage("ingestion.flush_interval_ms must be > 0, was 0");
        assertThatThrownBy(() -> StorageConfig.builder().setHost(" "))
                .hasMessage("database.host must not be blank, was ' '");
        assertThatThrownBy(() -> StorageConfig.builder().setSchema("Bad-Schema\"; DROP"))
                .hasMessage("database.schema must match [a-z_][a-z0-9_]{0,62}, was Bad-Schema\"; DROP");
        assertThatThrownBy(() -> StorageConfig.builder().set("ingestion.write_method", "fast"))
                .hasMessage("ingestion.write_method must be one of auto, copy, insert, was 'fast'");
        assertThatThrownBy(() -> StorageConfig.builder().set("query.enable_cache", "yes"))
                .hasMessage("query.enable_cache must be true or false, was 'yes'");
        assertThatThrownBy(() -> StorageConfig.builder().setUrl("mysql://x"))
                .hasMessage("database.url must start with jdbc:postgresql:, was mysql://x");
        assertThatThrownBy(() -> StorageConfig.builder().yaml("database: [1, 2]"))
                .hasMessage("unknown configuration key 'database' (expected one of the sections database, ingestion, "
                        + "retention, query, limits)");
        assertThatThrownBy(() -> StorageConfig.builder().yaml("database:\n  host: [a]\n"))
                .hasMessage("database.host must be a scalar value, was [\"a\"]");
        assertThatThrownBy(() -> StorageConfig.builder().yaml("database: {host: \"x\""))
                .hasMessageStartingWith("configuration is not valid YAML: ");
    }

    @Test
    void crossKeyRulesAreCheckedAtBuild() {
        assertThatThrownBy(() -> StorageConfig.builder()
                        .setMaxBufferSize(1_000)
                        .setBatchSize(2_000)
                        .build())
                .hasMessage("ingestion.batch_size must be <= ingestion.max_buffer_size (1000), was 2000");
        assertThatThrownBy(() -> StorageConfig.builder()
                        .setMetricsRetentionDays(7)
                        .setCompressionAfterDays(7)
                        .build())
                .hasMessage("retention.compression_after_days must be < retention.metrics_retention_days (7), was 7");
    }

    @Test
    void toStringMasksPasswordsIncludingThoseInsideTheUrl() {
        String s = StorageConfig.builder()
                .setPassword("hunter2")
                .setUrl("jdbc:postgresql://u:pw1@h:5432/db?user=u&password=pw2&ssl=true")
                .build()
                .toString();

        assertThat(s).doesNotContain("hunter2", "pw1", "pw2").contains("password=****", "u:****@h", "ssl=true");
    }
}
