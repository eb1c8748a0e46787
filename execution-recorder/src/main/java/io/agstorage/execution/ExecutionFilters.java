package io.agstorage.execution;

import io.agstorage.execution.internal.Validation;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which fills ({@link ExecutionStore#queryFills}) or position snapshots
 * ({@link ExecutionStore#queryPositions(java.time.Instant, java.time.Instant, ExecutionFilters)}) a query returns:
 * every filter left unset matches everything. Every value is bound as a parameter of the query, never written into
 * its text.
 *
 * <pre>{@code
 * store.queryFills(from, to, ExecutionFilters.builder().strategyId("mm-btc").tags("hedge").build());
 * }</pre>
 */
public final class ExecutionFilters {

    private static final ExecutionFilters NONE = builder().build();

    private final @Nullable String venue;
    private final @Nullable String market;
    private final @Nullable String strategyId;
    private final @Nullable String accountId;
    private final Set<String> tags;
    private final int limit;

    private ExecutionFilters(Builder b) {
        this.venue = b.venue;
        this.market = b.market;
        this.strategyId = b.strategyId;
        this.accountId = b.accountId;
        this.tags = b.tags;
        this.limit = b.limit;
    }

    /** No filter; at most {@code query.max_results} rows. */
    public static ExecutionFilters none() {
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

    /** Only this strategy's rows; null for any. */
    public @Nullable String strategyId() {
        return strategyId;
    }

    /** Only this account's rows; null for any. */
    public @Nullable String accountId() {
        return accountId;
    }

    /** Only the rows carrying every one of these tags; empty for any. */
    public Set<String> tags() {
        return tags;
    }

    /** The most rows returned (the oldest first); 0 = up to {@code query.max_results}, which fails when exceeded. */
    public int limit() {
        return limit;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof ExecutionFilters f
                && Objects.equals(venue, f.venue)
                && Objects.equals(market, f.market)
                && Objects.equals(strategyId, f.strategyId)
                && Objects.equals(accountId, f.accountId)
                && tags.equals(f.tags)
                && limit == f.limit;
    }

    @Override
    public int hashCode() {
        return Objects.hash(venue, market, strategyId, accountId, tags, limit);
    }

    @Override
    public String toString() {
        return "ExecutionFilters{venue=" + venue + ", market=" + market + ", strategyId=" + strategyId + ", accountId="
                + accountId + ", tags=" + tags + ", limit=" + limit + "}";
    }

    /** Builds {@link ExecutionFilters}. */
    public static final class Builder {
        private @Nullable String venue;
        private @Nullable String market;
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

        /** Only this strategy's rows; null (the default) for any. */
        public Builder strategyId(@Nullable String strategyId) {
            this.strategyId = Validation.optionalId("filters.strategyId", strategyId);
            return this;
        }

        /** Only this account's rows; null (the default) for any. */
        public Builder accountId(@Nullable String accountId) {
            this.accountId = Validation.optionalId("filters.accountId", accountId);
            return this;
        }

        /** Only the rows carrying every one of these tags; none (the default) for any. */
        public Builder tags(String... tags) {
            this.tags = Validation.tags("filters.tags", Arrays.asList(tags));
            return this;
        }

        /** At most this many rows, oldest first; 0 (the default) for up to {@code query.max_results}. */
        public Builder limit(int limit) {
            if (limit < 0) {
                throw new IllegalArgumentException("filters.limit must be >= 0, was " + limit);
            }
            this.limit = limit;
            return this;
        }

        public ExecutionFilters build() {
            return new ExecutionFilters(this);
        }
    }
}
