package io.agstorage.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agstorage.core.SeriesLimits;
import io.agstorage.core.testing.DatabaseExtension;
import io.agstorage.otlp.testing.ExportLoop;
import io.agstorage.otlp.testing.GoodClient;
import io.agstorage.otlp.testing.SeriesFlood;
import io.agstorage.otlp.testing.Slowloris;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 13's attack, short: 16 slowloris connections and a client creating 20,000 distinct series run against the
 * receiver while a well-behaved OTel SDK client exports every 150 ms; every one of its exports succeeds, and the
 * series created stop at {@code limits.max_series}. {@code scripts/bench otlp-attack} runs the full one (a million
 * series) and prints the good client's latencies.
 */
class UnderAttackIT {

    private static final int MAX_SERIES = 5_000;

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("otlp_attack")
            .withEngine(b -> b.setLimits(SeriesLimits.builder()
                    .setMaxSeries(MAX_SERIES)
                    .setMaxSeriesPerMetric(MAX_SERIES)
                    .build()));

    @Test
    void aGoodClientKeepsExportingWhileSlowlorisAndASeriesFloodAttack() throws Exception {
        try (OtlpReceiver receiver = OtlpReceiver.builder()
                        .setEngine(db.engine())
                        .setGrpcPort(-1)
                        .setHttpPort(0)
                        .setConnectionLimits(ConnectionLimits.builder()
                                .setRequestTimeout(Duration.ofSeconds(2))
                                .build())
                        .start();
                GoodClient good = new GoodClient(receiver.httpPort(), 10, Duration.ofSeconds(10));
                ExportLoop loop = new ExportLoop(good, Duration.ofMillis(150))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> loop.exports() >= 1); // its series exist
            SeriesFlood flood = new SeriesFlood(receiver.httpPort(), 20_000, 1_000, 4);
            try (Slowloris slowloris = new Slowloris(receiver.httpPort(), 16, Duration.ofMillis(100))) {
                flood.run();
                // Past the slowloris connections' request deadline (2 s): the receiver cut every one at least once.
                await().atMost(Duration.ofSeconds(30)).until(() -> slowloris.cutConnections() >= 16);
            }
            loop.close();
            assertThat(loop.exports()).as("good exports").isGreaterThan(10);
            assertThat(loop.failed()).as("failed good exports").isZero();
            assertThat(flood.statuses()).containsOnlyKeys(200);
            long total = db.queryLong("SELECT count(*) FROM " + db.table("series"));
            long flooded =
                    db.queryLong("SELECT count(*) FROM " + db.table("series") + " WHERE metric LIKE 'attack.metric.%'");
            assertThat(total).as("series in the database").isEqualTo(MAX_SERIES);
            assertThat(flooded + flood.refused())
                    .as("the flood's series created + refused, of all series in the database: "
                            + db.queryString("SELECT string_agg(DISTINCT metric, ', ') FROM " + db.table("series")))
                    .isEqualTo(20_000);
            assertThat(db.queryLong("SELECT count(*) FROM " + db.table("series") + " WHERE metric = 'good.requests'"))
                    .isEqualTo(10);
        }
    }
}
