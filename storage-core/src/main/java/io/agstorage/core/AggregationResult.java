package io.agstorage.core;

import java.util.List;

/**
 * The buckets of {@link StorageEngine#queryAggregated}, and which relation answered: {@code samples} (the raw
 * hypertable) or a rollup such as {@code metrics_hourly}. Both give the same answer; a rollup is faster.
 */
public record AggregationResult(String source, List<Bucket> buckets) {
    public AggregationResult {
        buckets = List.copyOf(buckets);
    }
}
