package io.agstorage.core;

/** How the batch writer moves samples into the hypertables. */
public enum WriteMethod {
    /**
     * Binary {@code COPY}, except on servers that cannot take it (PostgreSQL compiled to WASM): there {@link #INSERT}.
     */
    AUTO,
    /** Binary {@code COPY ... FROM STDIN} through pgjdbc's {@code CopyManager}: the fastest way in. */
    COPY,
    /** One multi-row {@code INSERT ... SELECT FROM unnest(...)} per batch, for servers without COPY. */
    INSERT
}
