package io.agstorage.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigTreeTest {

    @Test
    void aComponentReadsItsOwnSectionAndStorageConfigBindsTheRest() {
        ConfigTree tree = ConfigTree.parse("database:\n  schema: metrics\nextra:\n  port: 1\n  token:\n");
        assertThat(tree.keys("extra")).containsEntry("port", "1").containsEntry("token", null);
        StorageConfig config =
                StorageConfig.builder().tree(tree.without("extra")).build();
        assertThat(config.schema()).isEqualTo("metrics");
        assertThatThrownBy(() -> StorageConfig.builder().tree(tree))
                .hasMessage("unknown configuration key 'extra.port'");
    }

    @Test
    void aSectionMustBeAMappingOfScalars() {
        assertThatThrownBy(() -> ConfigTree.parse("extra: 3\n").keys("extra"))
                .hasMessage("extra must be a mapping of keys, was NUMBER");
        assertThatThrownBy(() -> ConfigTree.parse("extra:\n  a: [1]\n").keys("extra"))
                .hasMessage("extra.a must be a scalar value, was [1]");
        assertThatThrownBy(() -> ConfigTree.parse("- a\n"))
                .hasMessage("configuration must be a YAML mapping of sections, was ARRAY");
        assertThat(ConfigTree.parse("").sections()).isEmpty();
    }

    @Test
    void environmentOverridesOfOneSectionAreKeyedByLowerCaseKey() {
        assertThat(ConfigTree.environment(
                        "extra", Map.of("AG_STORAGE_EXTRA_HTTP_PORT", "1", "AG_STORAGE_DATABASE_URL", "x")))
                .isEqualTo(Map.of("http_port", "1"));
    }
}
