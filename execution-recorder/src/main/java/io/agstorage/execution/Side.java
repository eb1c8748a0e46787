package io.agstorage.execution;

import io.agstorage.execution.internal.Enums;

/** The side of an order or fill. */
public enum Side {
    BUY,
    SELL;

    /**
     * Parses {@code buy} or {@code sell}, ignoring case.
     *
     * @throws IllegalArgumentException "side must be one of BUY, SELL, was 'x'"
     */
    public static Side parse(String value) {
        return Enums.parse(Side.class, "side", value);
    }
}
