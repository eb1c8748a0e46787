package io.agstorage.core;

/** What the connected database can do, detected at start-up (see README "TimescaleDB tiers"). */
public enum TimescaleTier {
    /** TimescaleDB with the Timescale License: hypertables, native compression, continuous aggregates, policies. */
    COMMUNITY,
    /** TimescaleDB's Apache 2 edition: hypertables and {@code drop_chunks}; no compression, caggs or policies. */
    APACHE,
    /** PostgreSQL without TimescaleDB: not supported. */
    NONE
}
