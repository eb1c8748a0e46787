package io.agstorage.execution;

import io.agstorage.execution.internal.Enums;

/**
 * Where a fill is in on-chain settlement (Polymarket's trade statuses): matched by the operator, mined in a
 * block, confirmed, or failed. A fill stored again with a later status moves forward; never back.
 */
public enum SettlementStatus {
    MATCHED,
    MINED,
    CONFIRMED,
    FAILED;

    /**
     * Parses a settlement status name, ignoring case.
     *
     * @throws IllegalArgumentException "settlementStatus must be one of MATCHED, MINED, CONFIRMED, FAILED, was 'x'"
     */
    public static SettlementStatus parse(String value) {
        return Enums.parse(SettlementStatus.class, "settlementStatus", value);
    }

    /** 1 for matched, 2 for mined, 3 for the final states; a stored status is only replaced by a higher one. */
    public int rank() {
        return switch (this) {
            case MATCHED -> 1;
            case MINED -> 2;
            case CONFIRMED, FAILED -> 3;
        };
    }
}
