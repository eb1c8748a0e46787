package io.agstorage.core;

import static io.agstorage.core.ConfigChecks.inRange;

import java.time.Duration;

/**
 * The bounds of every wait on the database, so that a network that goes silent (packets dropped, nothing reset) is
 * noticed in bounded time: a connection that answers nothing for {@code database.socket_timeout_sec} fails, the
 * writers discard it and retry on a new one. Part of {@link StorageConfig} ({@link StorageConfig#databaseTimeouts()});
 * set by key ({@link StorageConfig.Builder#set}) or as a whole ({@link StorageConfig.Builder#setDatabaseTimeouts}).
 *
 * <p>They apply to the pool the engine creates ({@link StorageEngine#create(StorageConfig)}); a {@code DataSource}
 * passed in keeps its own settings (set pgjdbc's {@code socketTimeout} there).
 *
 * @param socketTimeoutSec {@code database.socket_timeout_sec}: the longest any read from the database may wait
 *     (pgjdbc {@code socketTimeout}); a statement that runs longer on the server fails too, so it must exceed the
 *     longest statement (a compression of a large chunk, say). Default: 60
 * @param connectTimeoutSec {@code database.connect_timeout_sec}: the longest opening a connection (TCP connect and
 *     login) may take (pgjdbc {@code connectTimeout} and {@code loginTimeout}). Default: 10
 * @param tcpKeepAlive {@code database.tcp_keepalive}: TCP keepalive on the connections, so that the operating system
 *     also reaps connections whose peer is gone (pgjdbc {@code tcpKeepAlive}). Default: true
 */
public record DatabaseTimeouts(int socketTimeoutSec, int connectTimeoutSec, boolean tcpKeepAlive) {

    /** The defaults: 60 s socket timeout, 10 s connect timeout, TCP keepalive on. */
    public static final DatabaseTimeouts DEFAULTS = new DatabaseTimeouts(60, 10, true);

    /** @throws IllegalArgumentException naming the key, the rule and the value */
    public DatabaseTimeouts {
        inRange("database.socket_timeout_sec", socketTimeoutSec, 1, 86_400);
        inRange("database.connect_timeout_sec", connectTimeoutSec, 1, 3_600);
    }

    /** A copy with {@code database.socket_timeout_sec} set. */
    public DatabaseTimeouts withSocketTimeoutSec(int seconds) {
        return new DatabaseTimeouts(seconds, connectTimeoutSec, tcpKeepAlive);
    }

    /** A copy with {@code database.connect_timeout_sec} set. */
    public DatabaseTimeouts withConnectTimeoutSec(int seconds) {
        return new DatabaseTimeouts(socketTimeoutSec, seconds, tcpKeepAlive);
    }

    /** A copy with {@code database.tcp_keepalive} set. */
    public DatabaseTimeouts withTcpKeepAlive(boolean keepAlive) {
        return new DatabaseTimeouts(socketTimeoutSec, connectTimeoutSec, keepAlive);
    }

    /** {@code database.socket_timeout_sec} as a duration. */
    public Duration socketTimeout() {
        return Duration.ofSeconds(socketTimeoutSec);
    }

    /**
     * How long the pool may take to check that an idle connection is alive before it lends it: well below the
     * socket timeout and the pool's {@code database.connection_timeout_sec}, at most 5 s.
     */
    public long validationTimeoutMs(int connectionTimeoutSec) {
        long ms = Math.min(5_000, socketTimeoutSec * 500L);
        return Math.max(250, Math.min(ms, connectionTimeoutSec * 1_000L - 250));
    }

    /**
     * How long the retention leader's session may go without a sign of life before another instance ends it and
     * takes the leadership: twice the socket timeout (the leader gives a sign of life every quarter of it).
     */
    public Duration leaderLease() {
        return socketTimeout().multipliedBy(2);
    }

    static boolean isKey(String key) {
        return switch (key) {
            case "database.socket_timeout_sec", "database.connect_timeout_sec", "database.tcp_keepalive" -> true;
            default -> false;
        };
    }

    /** This with one key set from its text form. */
    DatabaseTimeouts with(String key, String value) {
        return switch (key) {
            case "database.socket_timeout_sec" -> withSocketTimeoutSec(StorageConfigBinder.parseInt(key, value));
            case "database.connect_timeout_sec" -> withConnectTimeoutSec(StorageConfigBinder.parseInt(key, value));
            case "database.tcp_keepalive" -> withTcpKeepAlive(StorageConfigBinder.parseBoolean(key, value));
            default -> throw new IllegalArgumentException("unknown configuration key '" + key + "'");
        };
    }

    /** The keys and values as {@link StorageConfig#toString()} shows them. */
    String describe() {
        return "socket_timeout_sec=" + socketTimeoutSec + ", connect_timeout_sec=" + connectTimeoutSec
                + ", tcp_keepalive=" + tcpKeepAlive;
    }
}
