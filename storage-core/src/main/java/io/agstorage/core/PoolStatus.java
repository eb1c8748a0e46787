package io.agstorage.core;

/** A snapshot of the connection pool. */
public record PoolStatus(int active, int idle, int total, int waiting, int max) {}
