package io.agstorage.core;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import org.jspecify.annotations.Nullable;

/** A snapshot of the connection pool. */
public record PoolStatus(int active, int idle, int total, int waiting, int max) {

    /** The state of {@code pool} now; all zero but {@code max} when there is none (a caller's DataSource). */
    static PoolStatus of(@Nullable HikariDataSource pool, int max) {
        HikariPoolMXBean bean = pool == null ? null : pool.getHikariPoolMXBean();
        if (pool == null || bean == null) {
            return new PoolStatus(0, 0, 0, 0, max);
        }
        return new PoolStatus(
                bean.getActiveConnections(),
                bean.getIdleConnections(),
                bean.getTotalConnections(),
                bean.getThreadsAwaitingConnection(),
                pool.getMaximumPoolSize());
    }
}
