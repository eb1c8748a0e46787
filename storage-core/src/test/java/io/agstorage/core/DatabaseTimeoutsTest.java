package io.agstorage.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DatabaseTimeoutsTest {

    @Test
    void everyDatabaseWaitIsBoundedByDefault() {
        DatabaseTimeouts t = StorageConfig.builder().build().databaseTimeouts();

        assertThat(t).isEqualTo(new DatabaseTimeouts(60, 10, true));
        assertThat(t.validationTimeoutMs(30)).isEqualTo(5_000);
        assertThat(t.leaderLease()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void theKeysBindFromYamlAndEnvironmentAndShowInToString() {
        StorageConfig config = StorageConfig.builder()
                .yaml("database:\n  socket_timeout_sec: 5\n  tcp_keepalive: false\n")
                .environment(Map.of("AG_STORAGE_DATABASE_CONNECT_TIMEOUT_SEC", "3"))
                .build();

        assertThat(config.databaseTimeouts()).isEqualTo(new DatabaseTimeouts(5, 3, false));
        assertThat(config.toString()).contains("socket_timeout_sec=5, connect_timeout_sec=3, tcp_keepalive=false");
        assertThat(config.toBuilder().build().databaseTimeouts()).isEqualTo(config.databaseTimeouts());
    }

    @Test
    void theValidationTimeoutStaysBelowTheSocketAndPoolTimeouts() {
        assertThat(new DatabaseTimeouts(2, 2, true).validationTimeoutMs(2)).isEqualTo(1_000);
        assertThat(new DatabaseTimeouts(1, 2, true).validationTimeoutMs(1)).isEqualTo(500);
        assertThat(new DatabaseTimeouts(60, 2, true).validationTimeoutMs(1)).isEqualTo(750);
    }

    @Test
    void badValuesFailNamingKeyRuleAndValue() {
        assertThatThrownBy(() -> StorageConfig.builder().set("database.socket_timeout_sec", "0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("database.socket_timeout_sec must be > 0, was 0");
        assertThatThrownBy(() -> StorageConfig.builder().set("database.connect_timeout_sec", "3601"))
                .hasMessage("database.connect_timeout_sec must be <= 3600, was 3601");
        assertThatThrownBy(() -> StorageConfig.builder().set("database.socket_timeout_sec", "soon"))
                .hasMessage("database.socket_timeout_sec must be an integer, was 'soon'");
        assertThatThrownBy(() -> StorageConfig.builder().set("database.tcp_keepalive", "maybe"))
                .hasMessage("database.tcp_keepalive must be true or false, was 'maybe'");
        assertThatThrownBy(() -> StorageConfig.builder().set("database.socket_timeout", "5"))
                .hasMessage("unknown configuration key 'database.socket_timeout'");
    }
}
