package io.agstorage.core;

import java.time.Instant;
import java.util.Map;

/** One stored sample as {@link StorageEngine#queryMetrics} returns it. */
public record MetricRow(Instant time, String name, double value, Map<String, String> labels) {}
