package io.agstorage.core;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class StorageEngineStartTest {

    @Test
    void anUnreachableDatabaseIsAClearErrorWithTheMaskedUrlAndWhatToDo() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        StorageConfig config = StorageConfig.builder()
                .setUrl("jdbc:postgresql://127.0.0.1:" + closedPort + "/bot?user=writer&password=hunter2")
                .setConnectionTimeoutSec(1)
                .build();

        assertThatThrownBy(() -> StorageEngine.create(config))
                .isInstanceOf(StorageException.class)
                .hasMessageStartingWith("cannot connect to jdbc:postgresql://127.0.0.1:" + closedPort
                        + "/bot?user=writer&password=**** as postgres: ")
                .hasMessageEndingWith("Start a local TimescaleDB with scripts/timescaledb start, or point database.url "
                        + "(AG_STORAGE_DATABASE_URL) at yours")
                .satisfies(e -> org.assertj.core.api.Assertions.assertThat(e.getMessage())
                        .doesNotContain("hunter2"));
    }
}
