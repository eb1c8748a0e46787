package io.agstorage.execution;

import io.agstorage.execution.internal.Enums;

/** Whether a fill added liquidity (maker) or took it (taker). */
public enum Liquidity {
    MAKER,
    TAKER;

    /**
     * Parses {@code maker} or {@code taker}, ignoring case.
     *
     * @throws IllegalArgumentException "liquidity must be one of MAKER, TAKER, was 'x'"
     */
    public static Liquidity parse(String value) {
        return Enums.parse(Liquidity.class, "liquidity", value);
    }
}
