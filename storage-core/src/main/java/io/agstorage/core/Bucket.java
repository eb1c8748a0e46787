package io.agstorage.core;

import java.time.Instant;

/** One time bucket of an aggregation: its start and the aggregated value. */
public record Bucket(Instant start, double value) {}
