package io.agstorage.examples.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agstorage.core.StorageEngine;
import io.agstorage.core.testing.DatabaseExtension;
import io.agstorage.micrometer.TimescaleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/** The Spring Boot bot started as an application: its meters' rows and its fill arrive in the database. */
class BootBotIT {

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("boot_bot");

    @TempDir
    Path journal;

    private String botSeries() {
        return db.queryString("SELECT string_agg(r.metric || r.labels::text || '=' || coalesce((SELECT sum(value) FROM "
                + db.table("samples") + " s WHERE s.series_id = r.id), -1), ', ') FROM " + db.table("series")
                + " r WHERE r.metric LIKE 'bot%'");
    }

    @Test
    void theBootBotsMetersAndFillArriveInTheDatabase() {
        try (ConfigurableApplicationContext context = SpringApplication.run(
                BootBot.class,
                "--spring.main.banner-mode=off",
                "--ag-storage.url=" + db.url(),
                "--ag-storage.schema=" + db.schema(),
                "--ag-storage.max-connections=4",
                "--ag-storage.execution.journal-directory=" + journal,
                // a step far above a scheduling delay on a loaded machine: a step meter read two steps late has
                // rolled its value over (Micrometer's step semantics)
                "--management.timescale.metrics.export.step=5s")) {
            assertThat(context.getBean(TimescaleMeterRegistry.class).storageEngine())
                    .isSameAs(context.getBean(StorageEngine.class));
            assertThat(context.getBean(StorageEngine.class).retentionScheduler())
                    .as("retention runs without the bot building anything")
                    .isNotNull();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(db.queryLong("SELECT count(*) FROM " + db.table("fills") + " WHERE market = '"
                                + BootBot.MARKET + "' AND size = 25 AND price = 0.52"))
                        .isOne();
                assertThat(db.queryLong("SELECT count(*) FROM " + db.table("orders") + " WHERE status = 'FILLED'"))
                        .isOne();
                assertThat(db.queryDouble("SELECT coalesce(sum(s.value), 0) FROM " + db.table("samples") + " s JOIN "
                                + db.table("series") + " r ON r.id = s.series_id WHERE r.metric = 'bot_quotes'"))
                        .as("the counter's increments, stored as step deltas; bot series: %s", botSeries())
                        .isEqualTo(10.0);
                assertThat(db.queryLong("SELECT count(*) FROM " + db.table("series")
                                + " WHERE metric LIKE 'bot_quote_latency%' AND labels @> '{\"market\": \"demo\"}'"))
                        .as("the timer's series")
                        .isPositive();
                assertThat(db.queryLong(
                                "SELECT count(*) FROM " + db.table("series") + " WHERE metric LIKE 'ag_storage_%'"))
                        .as("the library's own meters, recorded by the registry into the same database")
                        .isPositive();
            });
        }
    }
}
