package io.agstorage.core;

import static io.agstorage.core.ConfigChecks.invalid;

import org.jspecify.annotations.Nullable;

/**
 * Where queries go: {@code database.read_url}, a JDBC URL of a read replica (a streaming standby, or several as a
 * pgjdbc multi-host URL with {@code targetServerType=preferSecondary}), or none, when queries share the write pool.
 * Part of {@link StorageConfig} ({@link StorageConfig#readReplica()}).
 *
 * <p>A replica answers what it has replayed: a point is visible there once it is committed on the primary and
 * replayed on the replica (milliseconds on a healthy pair, more under load). Writes, migrations and retention always
 * use {@code database.url}. The engine opens a second pool to it, read-only, with the same user, password, size and
 * timeouts as the first; a {@code DataSource} passed to {@link StorageEngine#create(StorageConfig,
 * javax.sql.DataSource)} serves queries itself and ignores this.
 *
 * @param url the replica's JDBC URL, or null for none (the default)
 */
public record ReadReplica(@Nullable String url) {

    /** No replica: queries use the write pool. */
    public static final ReadReplica NONE = new ReadReplica(null);

    /** @throws IllegalArgumentException naming the key, the rule and the (masked) value */
    public ReadReplica {
        if (url != null && !url.startsWith("jdbc:postgresql:")) {
            throw invalid("database.read_url", "must start with jdbc:postgresql:", Masking.maskJdbcUrl(url));
        }
    }

    /** Whether queries go to a replica. */
    public boolean isConfigured() {
        return url != null;
    }

    static boolean isKey(String key) {
        return "database.read_url".equals(key);
    }

    static ReadReplica parse(String value) {
        return value.isBlank() ? NONE : new ReadReplica(value.trim());
    }

    /** The key and its masked value as {@link StorageConfig#toString()} shows them. */
    String describe() {
        return "read_url=" + (url == null ? "none" : Masking.maskJdbcUrl(url));
    }
}
