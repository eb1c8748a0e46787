package io.agstorage.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agstorage.core.IngestionStats;
import io.agstorage.core.testing.DatabaseExtension;
import io.agstorage.otlp.testing.GoodClient;
import io.agstorage.otlp.testing.SeriesFlood;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client creating series faster than the database takes them (here: the {@code series} table locked by another
 * session, so the writer waits on its first new series) must not take the whole ingestion buffer: past half of it,
 * requests bringing new series are answered 503, and a client of known series keeps exporting (on the code before, its
 * export waited behind the flood's request for room in the buffer until it timed out).
 */
class NewSeriesFloodIT {

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("otlp_flood").withEngine();

    @TempDir
    Path spool;

    private boolean overHalfFull() {
        IngestionStats stats = db.engine().ingestionStats();
        return stats.queueDepth() * 2 > stats.bufferSize();
    }

    private boolean nearlyFull() {
        IngestionStats stats = db.engine().ingestionStats();
        return stats.queueDepth() + 1_000 > stats.bufferSize();
    }

    @Test
    void aSeriesFloodTheDatabaseCannotKeepUpWithLeavesRoomForAClientOfKnownSeries() throws Exception {
        try (OtlpReceiver receiver = OtlpReceiver.builder()
                        .setEngine(db.engine())
                        .setGrpcPort(-1)
                        .setHttpPort(0)
                        .setSpool(spool)
                        .start();
                GoodClient good = new GoodClient(receiver.httpPort(), 10, Duration.ofSeconds(5))) {
            // Two exports: the SDK adds its own otel.sdk.metric_reader.collection.duration from the second on. Then
            // every series the good client sends is stored.
            assertThat(good.export()).isTrue();
            assertThat(good.export()).isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                IngestionStats stats = db.engine().ingestionStats();
                return stats.committed() == stats.accepted();
            });
            SeriesFlood flood = new SeriesFlood(receiver.httpPort(), 30_000, 1_000, 3);
            CompletableFuture<Void> flooding;
            try (Connection lock = db.connect();
                    Statement st = lock.createStatement()) {
                lock.setAutoCommit(false);
                st.execute("LOCK TABLE " + db.table("series") + " IN EXCLUSIVE MODE");
                flooding = CompletableFuture.runAsync(() -> {
                    try {
                        flood.run();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                // Until the flood is answered for good, or has filled the buffer but for less than one of its requests
                // for a second (its next request is then in, waiting for room).
                await().during(Duration.ofSeconds(1))
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> flooding.isDone() || nearlyFull());
                assertThat(overHalfFull()).as("buffer over half full").isTrue();
                for (int i = 0; i < 3; i++) {
                    assertThat(good.export())
                            .as("export %d of the good client while the flood waits on the database", i)
                            .isTrue();
                }
                lock.rollback();
            }
            flooding.get(120, TimeUnit.SECONDS);
            assertThat(flood.statuses()).containsKey(503);
            assertThat(receiver.busyRequests()).isPositive();
        }
    }
}
