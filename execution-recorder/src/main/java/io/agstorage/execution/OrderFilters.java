package io.agstorage.execution;

import io.agstorage.execution.internal.Validation;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Which orders {@link ExecutionStore#queryOrders} returns: every filter left unset matches everything.
 *
 * <pre>{@code
 * OrderFilters.builder().venue("polymarket").status(OrderStatus.FILLED).limit(500).build()
 * }</pre>
 */
public final class OrderFilters {

    private static final OrderFilters NONE = builder().build();

    private final @Nullable String venue;
    private final @Nullable String market;
    private final @Nullable Side side;
    private final @Nullable OrderStatus status;
    private final int limit;

    private OrderFilters(Builder b) {
        this.venue = b.venue;
        this.market = b.market;
        this.side = b.side;
        this.status = b.status;
        this.limit = b.limit;
    }

    /** No filter; at most {@code query.max_results} orders. */
    public static OrderFilters none() {
        return NONE;
    }

    public static Builder builder() {
        return new Builder();
    }

    public @Nullable String venue() {
        return venue;
    }

    public @Nullable String market() {
        return market;
    }

    public @Nullable Side side() {
        return side;
    }

    public @Nullable OrderStatus status() {
        return status;
    }
    /** The most orders returned (the oldest first); 0 = up to {@code query.max_results}, which fails when exceeded. */
    public int limit() {
        return limit;
    }

    @Override
    public String toString() {
        return "OrderFilters{venue=" + venue + ", market=" + market + ", side=" + side + ", status=" + status
                + ", limit=" + limit + "}";
    }

    /** Builds {@link OrderFilters}. */
    public static final class Builder {
        private @Nullable String venue;
        private @Nullable String market;
        private @Nullable Side side;
        private @Nullable OrderStatus status;
        private int limit;

        private Builder() {}

        public Builder venue(@Nullable String venue) {
            this.venue = Validation.optionalId("filters.venue", venue);
            return this;
        }

        public Builder market(@Nullable String market) {
            this.market = Validation.optionalId("filters.market", market);
            return this;
        }

        public Builder side(@Nullable Side side) {
            this.side = side;
            return this;
        }

        public Builder status(@Nullable OrderStatus status) {
            this.status = status;
            return this;
        }

        /** At most this many orders, oldest first; 0 (the default) for up to {@code query.max_results}. */
        public Builder limit(int limit) {
            if (limit < 0) {
                throw new IllegalArgumentException("filters.limit must be >= 0, was " + limit);
            }
            this.limit = limit;
            return this;
        }

        public OrderFilters build() {
            return new OrderFilters(this);
        }
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof OrderFilters f
                && Objects.equals(venue, f.venue)
                && Objects.equals(market, f.market)
                && side == f.side
                && status == f.status
                && limit == f.limit;
    }

    @Override
    public int hashCode() {
        return Objects.hash(venue, market, side, status, limit);
    }
}
