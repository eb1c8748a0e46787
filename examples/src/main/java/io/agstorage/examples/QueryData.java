package io.agstorage.examples;

import io.agstorage.core.Aggregation;
import io.agstorage.core.AggregationResult;
import io.agstorage.core.Bucket;
import io.agstorage.core.MetricRow;
import io.agstorage.core.StorageEngine;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Reads metrics back: raw points with a label filter, and time buckets with an aggregation. */
public final class QueryData {

    private QueryData() {}

    /**
     * {@code scripts/example query-data [config.yaml]}: reads back the last hour that {@code insert-metrics} wrote.
     */
    public static void main(String[] args) {
        try (StorageEngine engine = StorageEngine.create(Examples.config(args))) {
            run(engine, Instant.now());
        }
    }

    public static void run(StorageEngine engine, Instant end) {
        Instant start = end.minus(Duration.ofHours(1));
        List<MetricRow> spreads = engine.queryMetrics("spread_bps", start, end, Map.of("market", "0x123abc"));
        if (spreads.isEmpty()) {
            System.out.println("query-data: no spread_bps points in the last hour; run scripts/example insert-metrics");
            return;
        }
        System.out.printf(
                "spread_bps{market=0x123abc}: %d points, last %.2f bps at %s%n",
                spreads.size(),
                spreads.get(spreads.size() - 1).value(),
                spreads.get(spreads.size() - 1).time());

        for (Aggregation agg :
                List.of(Aggregation.AVG, Aggregation.P50, Aggregation.P99, Aggregation.MAX, Aggregation.COUNT)) {
            AggregationResult r = engine.queryAggregated("order_latency_ms", start, end, Duration.ofMinutes(15), agg);
            StringBuilder line = new StringBuilder();
            for (Bucket b : r.buckets()) {
                line.append(String.format(" %8.2f", b.value()));
            }
            System.out.printf("order_latency_ms %-5s per 15 min (from %s):%s%n", agg, r.source(), line);
        }
    }
}
