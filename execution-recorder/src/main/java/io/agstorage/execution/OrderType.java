package io.agstorage.execution;

import io.agstorage.execution.internal.Enums;

/** How an order prices: a {@link #LIMIT} order carries a limit price, a {@link #MARKET} order none. */
public enum OrderType {
    LIMIT,
    MARKET;

    /**
     * Parses {@code limit} or {@code market}, ignoring case.
     *
     * @throws IllegalArgumentException "orderType must be one of LIMIT, MARKET, was 'x'"
     */
    public static OrderType parse(String value) {
        return Enums.parse(OrderType.class, "orderType", value);
    }
}
