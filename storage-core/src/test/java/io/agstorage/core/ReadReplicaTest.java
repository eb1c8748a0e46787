package io.agstorage.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ReadReplicaTest {

    @Test
    void noReplicaByDefault() {
        assertThat(StorageConfig.builder().build().readReplica()).isEqualTo(ReadReplica.NONE);
        assertThat(ReadReplica.NONE.isConfigured()).isFalse();
    }

    @Test
    void theKeyBindsFromYamlAndEnvironmentAndShowsMaskedInToString() {
        StorageConfig fromYaml = StorageConfig.builder()
                .yaml("database:\n  read_url: jdbc:postgresql://replica:5432/ag?password=secret\n")
                .build();
        StorageConfig fromEnv = StorageConfig.builder()
                .environment(Map.of("AG_STORAGE_DATABASE_READ_URL", "jdbc:postgresql://r1:5432,r2:5432/ag"))
                .build();

        assertThat(fromYaml.readReplica().isConfigured()).isTrue();
        assertThat(fromYaml.toString())
                .contains("read_url=jdbc:postgresql://replica:5432/ag")
                .doesNotContain("secret");
        assertThat(fromEnv.readReplica().url()).isEqualTo("jdbc:postgresql://r1:5432,r2:5432/ag");
        assertThat(StorageConfig.builder().set("database.read_url", " ").build().readReplica())
                .isEqualTo(ReadReplica.NONE);
    }

    @Test
    void aUrlThatIsNotPostgresIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> StorageConfig.builder().set("database.read_url", "jdbc:mysql://replica/ag"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("database.read_url must start with jdbc:postgresql:");
    }
}
