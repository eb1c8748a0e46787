package io.agstorage.execution;

import io.agstorage.execution.internal.Enums;
import java.util.EnumSet;
import java.util.Set;

/**
 * An order's life cycle. Allowed transitions:
 *
 * <pre>
 * NEW              → ACCEPTED, PARTIALLY_FILLED, FILLED, CANCELLED, REJECTED, EXPIRED
 * ACCEPTED         → PARTIALLY_FILLED, FILLED, CANCELLED, EXPIRED, AMENDED
 * PARTIALLY_FILLED → PARTIALLY_FILLED, FILLED, CANCELLED, EXPIRED, AMENDED
 * AMENDED          → ACCEPTED, PARTIALLY_FILLED, FILLED, CANCELLED, EXPIRED, AMENDED, REJECTED
 * FILLED, CANCELLED, REJECTED, EXPIRED: final
 * </pre>
 *
 * (A NEW order may fill at once: fill-or-kill and immediate-or-cancel orders often skip ACCEPTED. An amendment
 * the venue refuses leaves the order REJECTED only from AMENDED.)
 */
public enum OrderStatus {
    NEW,
    ACCEPTED,
    PARTIALLY_FILLED,
    FILLED,
    CANCELLED,
    REJECTED,
    EXPIRED,
    AMENDED;

    /**
     * Parses a status name, ignoring case; spaces or dashes stand for underscores ({@code "partially filled"}).
     *
     * @throws IllegalArgumentException "status must be one of NEW, ACCEPTED, ..., was 'x'"
     */
    public static OrderStatus parse(String value) {
        return Enums.parse(OrderStatus.class, "status", value);
    }

    /** Whether no transition leaves this status. */
    public boolean isFinal() {
        return next().isEmpty();
    }

    /** The statuses this one may change to. */
    public Set<OrderStatus> next() {
        return switch (this) {
            case NEW -> EnumSet.of(ACCEPTED, PARTIALLY_FILLED, FILLED, CANCELLED, REJECTED, EXPIRED);
            case ACCEPTED -> EnumSet.of(PARTIALLY_FILLED, FILLED, CANCELLED, EXPIRED, AMENDED);
            case PARTIALLY_FILLED -> EnumSet.of(PARTIALLY_FILLED, FILLED, CANCELLED, EXPIRED, AMENDED);
            case AMENDED -> EnumSet.of(ACCEPTED, PARTIALLY_FILLED, FILLED, CANCELLED, EXPIRED, AMENDED, REJECTED);
            case FILLED, CANCELLED, REJECTED, EXPIRED -> EnumSet.noneOf(OrderStatus.class);
        };
    }

    /** Whether an order in this status may change to {@code target}. */
    public boolean canTransitionTo(OrderStatus target) {
        return next().contains(target);
    }

    /**
     * Checks a transition.
     *
     * @throws IllegalStateException "order status cannot change from FILLED to ACCEPTED (FILLED is final)" or
     *     "... (allowed from ACCEPTED: PARTIALLY_FILLED, ...)"
     */
    public void checkTransitionTo(OrderStatus target) {
        if (!canTransitionTo(target)) {
            throw new IllegalStateException("order status cannot change from " + this + " to " + target
                    + (isFinal()
                            ? " (" + this + " is final)"
                            : " (allowed from " + this + ": "
                                    + next().toString().replaceAll("[\\[\\]]", "") + ")"));
        }
    }
}
