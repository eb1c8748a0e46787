package io.agstorage.core;

/**
 * A query matched more rows than {@code query.max_results}. Results are never silently truncated: the
 * query fails instead, and the caller narrows the time range or the label filter.
 */
public final class QueryLimitExceededException extends StorageException {
    private final int maxResults;

    public QueryLimitExceededException(int maxResults) {
        super("query matched more than query.max_results=" + maxResults
                + " rows; narrow the time range or the label filter, or raise query.max_results");
        this.maxResults = maxResults;
    }

    public int maxResults() {
        return maxResults;
    }
}
