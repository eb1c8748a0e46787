package io.agstorage.execution;

import io.agstorage.execution.internal.Enums;

/** How long an order stays working. */
public enum TimeInForce {
    /** Good till cancelled. */
    GTC,
    /** Good till date: the order carries an expiry time. */
    GTD,
    /** Fill or kill: filled entirely at once, or not at all. */
    FOK,
    /** Fill and kill: what can fill at once fills, the rest is cancelled. */
    FAK,
    /** Immediate or cancel: as {@link #FAK}, the name most venues use. */
    IOC;

    /**
     * Parses a time-in-force name, ignoring case.
     *
     * @throws IllegalArgumentException "timeInForce must be one of GTC, GTD, FOK, FAK, IOC, was 'x'"
     */
    public static TimeInForce parse(String value) {
        return Enums.parse(TimeInForce.class, "timeInForce", value);
    }
}
