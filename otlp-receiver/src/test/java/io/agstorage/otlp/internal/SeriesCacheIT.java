package io.agstorage.otlp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.testing.DatabaseExtension;
import io.agstorage.otel.mapping.CumulativeState;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The receiver's series cache, far smaller than the series sent: evictions never change what is stored. */
class SeriesCacheIT {

    private static final int SERIES = 6;
    private static final long SECOND = 1_000_000_000L;

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("otel_cache").withEngine();

    @BeforeEach
    void start() {}

    @AfterEach
    void stop() {}

    private static KeyValue kv(String key, String value) {
        return KeyValue.newBuilder()
                .setKey(key)
                .setValue(AnyValue.newBuilder().setStringValue(value))
                .build();
    }

    /** A cumulative counter per series {@code s}: value (round + 1) * (s + 1); series in another order each round. */
    private static ExportMetricsServiceRequest round(long start, int round) {
        Sum.Builder sum = Sum.newBuilder()
                .setIsMonotonic(true)
                .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE);
        for (int i = 0; i < SERIES; i++) {
            int s = (i + round) % SERIES;
            sum.addDataPoints(NumberDataPoint.newBuilder()
                    .setStartTimeUnixNano(start)
                    .setTimeUnixNano(start + (round + 1) * SECOND)
                    .setAsInt((round + 1L) * (s + 1))
                    .addAttributes(kv("market", "m" + s))
                    .addAttributes(kv("venue", "v")));
        }
        return ExportMetricsServiceRequest.newBuilder()
                .addResourceMetrics(ResourceMetrics.newBuilder()
                        .setResource(Resource.newBuilder().addAttributes(kv("service.name", "cache-test")))
                        .addScopeMetrics(ScopeMetrics.newBuilder()
                                .setScope(InstrumentationScope.newBuilder().setName("t"))
                                .addMetrics(
                                        Metric.newBuilder().setName("orders").setSum(sum))))
                .build();
    }

    @Test
    void cumulativeDeltasStayExactWhenTheSeriesCacheEvicts() throws Exception {
        Instant now = Instant.now();
        long instanceStart = now.getEpochSecond() * SECOND + now.getNano();
        OtlpIngest ingest = new OtlpIngest(db.engine(), new CumulativeState(1_000, instanceStart), 2);
        long start = instanceStart + 1;
        int rounds = 5;
        for (int r = 0; r < rounds; r++) {
            // Parsed from bytes, as a transport does: no instance is shared between rounds.
            ExportMetricsServiceRequest request =
                    ExportMetricsServiceRequest.parseFrom(round(start, r).toByteArray());
            OtlpIngest.Outcome outcome = ingest.ingest(request).get(30, TimeUnit.SECONDS);
            assertThat(outcome).isInstanceOf(OtlpIngest.Outcome.Accepted.class);
        }
        assertThat(ingest.rejectedPoints()).isZero();
        assertThat(ingest.acceptedPoints()).isEqualTo((long) rounds * SERIES);
        String q = "\"" + db.schema() + "\"";
        assertThat(db.queryLong("SELECT count(*) FROM " + q + ".series")).isEqualTo(SERIES);
        for (int s = 0; s < SERIES; s++) {
            // Started after the receiver: every increase is stored, the sum of deltas is the last cumulative value.
            assertThat(db.queryDouble("SELECT sum(value) FROM " + q
                            + ".metrics WHERE metric_name = 'orders' AND labels->>'market' = 'm" + s + "'"))
                    .as("series m%d", s)
                    .isEqualTo((double) rounds * (s + 1));
            assertThat(db.queryLong("SELECT count(*) FROM " + q + ".metrics WHERE labels->>'market' = 'm" + s + "'"))
                    .isEqualTo(rounds);
        }
    }

    @Test
    void aPointIsMatchedByPositionOnlyWhenItsAttributesAreThoseOfThatPositionLastTime() {
        SeriesCache cache = new SeriesCache(100);
        SeriesCache.Context context = cache.context(
                List.of(kv("service.name", "a")),
                InstrumentationScope.newBuilder().setName("t").build());
        SeriesCache.Resolved a = new SeriesCache.Resolved(db.engine().series("orders", Map.of("market", "a")));
        SeriesCache.Resolved b = new SeriesCache.Resolved(db.engine().series("orders", Map.of("market", "b")));
        SeriesCache.Lookup first = cache.lookup(context, "orders", "", SeriesCache.MONOTONIC_SUM, 2);
        assertThat(first.get(0, flat("a"))).isNull();
        first.put(0, flat("a"), a);
        first.put(1, flat("b"), b);
        first.done();

        // Decoded again: equal strings, other instances.
        SeriesCache.Lookup second = cache.lookup(context, "orders", "", SeriesCache.MONOTONIC_SUM, 3);
        assertThat(second.get(0, flat("a")))
                .as("same position, same attributes")
                .isSameAs(a);
        assertThat(second.get(1, flat("a")))
                .as("another position's attributes: found by key, not taken from the position")
                .isSameAs(a);
        assertThat(second.get(2, flat("c"))).as("never seen").isNull();
        assertThat(cache.lookup(context, "orders", "", SeriesCache.SUM, 1).get(0, flat("a")))
                .as("another kind is another series")
                .isNull();
    }

    private static Object[] flat(String market) {
        return SeriesCache.flatten(List.of(kv("market", new String(market.toCharArray()))));
    }
}
