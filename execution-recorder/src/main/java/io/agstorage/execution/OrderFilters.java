package io.agstorage.execution;

import io.agstorage.execution.internal.Validation;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which orders {@link ExecutionStore#queryOrders} returns: every filter left unset matches everything.
 *
 * <pre>{@code
 * OrderFilters.builder().venue("polymarket").status(OrderStatus.FILLED).limit(500).build()
 * OrderFilters.builder().strategyId("mm-btc").accountId("desk-1").tags("hedge").build()
 * }</pre>
 *
 * Every value is bound as a parameter of the query, never written into its text.
 */
public final class OrderFilters {

    private static final OrderFilters NONE = builder().build();

    private final @Nullable String venue;
    private final @Nullable String market;
    private final @Nullable Side side;
    private final @Nullable OrderStatus status;
    private final @Nullable String strategyId;
    private final @Nullable String accountId;
    private final Set<String> tags;
    private final int limit;

    private OrderFilters(Builder b) {
        this.strategyId = b.strategyId;
        this.accountId = b.accountId;
        this.tags = b.tags;
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

    /** Only the orders of this strategy; null for any. */
    public @Nullable String strategyId() {
        return strategyId;
    }

    /** Only the orders of this account; null for any. */
    public @Nullable String accountId() {
        return accountId;
    }

    /** Only the orders carrying every one of these tags; empty for any. */
    public Set<String> tags() {
        return tags;
    }
    /** The most orders returned (the oldest first); 0 = up to {@code query.max_results}, which fails when exceeded. */
    public int limit() {
        return limit;
    }

    @Override
    public String toString() {
        return "OrderFilters{venue=" + venue + ", market=" + market + ", side=" + side + ", status=" + status
                + ", strategyId=" + strategyId + ", accountId=" + accountId + ", tags=" + tags + ", limit=" + limit
                + "}";
    }

    /** Builds {@link OrderFilters}. */
    public static final class Builder {
        private @Nullable String venue;
        private @Nullable String market;
        private @Nullable Side side;
        private @Nullable OrderStatus status;
        private @Nullable String strategyId;
        private @Nullable String accountId;
        private Set<String> tags = Set.of();
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

        /** Only the orders of this strategy ({@link Order#strategyId()}); null (the default) for any. */
        public Builder strategyId(@Nullable String strategyId) {
            this.strategyId = Validation.optionalId("filters.strategyId", strategyId);
            return this;
        }

        /** Only the orders of this account ({@link Order#accountId()}); null (the default) for any. */
        public Builder accountId(@Nullable String accountId) {
            this.accountId = Validation.optionalId("filters.accountId", accountId);
            return this;
        }

        /** Only the orders carrying every one of these tags ({@link Order#tags()}); none (the default) for any. */
        public Builder tags(String... tags) {
            this.tags = Validation.tags("filters.tags", Arrays.asList(tags));
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
                && Objects.equals(strategyId, f.strategyId)
                && Objects.equals(accountId, f.accountId)
                && tags.equals(f.tags)
                && limit == f.limit;
    }

    @Override
    public int hashCode() {
        return Objects.hash(venue, market, side, status, strategyId, accountId, tags, limit);
    }
}
