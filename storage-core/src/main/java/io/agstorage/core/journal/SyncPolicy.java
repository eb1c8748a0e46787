package io.agstorage.core.journal;

import java.util.Locale;
import java.util.Objects;

/**
 * How far a journal record is forced towards the storage device before it is acknowledged: three durability
 * levels, in the manner of MongoDB's journal commit interval and Kafka's flush interval.
 *
 * <table>
 *   <caption>What an acknowledged record survives</caption>
 *   <tr><th>policy</th><th>{@code fsync}</th><th>JVM killed ({@code kill -9}, OOM kill)</th>
 *       <th>machine crash, power loss</th></tr>
 *   <tr><td>{@link #NONE}</td><td>never while appending; the OS writes back (Linux: dirty pages older than
 *   {@code vm.dirty_expire_centisecs}, 30 s by default)</td><td>nothing lost</td>
 *       <td>may lose what the OS had not written back</td></tr>
 *   <tr><td>{@link #BATCH} (default)</td><td>a background thread, every sync interval (default 5 ms)</td>
 *       <td>nothing lost</td><td>may lose the records of the last interval (plus the {@code fsync} in flight)</td></tr>
 *   <tr><td>{@link #ALWAYS}</td><td>before each acknowledgement, shared by concurrent callers</td><td>nothing lost</td>
 *       <td>nothing lost</td></tr>
 * </table>
 *
 * <p>In every policy a record is written to the journal file (the operating system's page cache) before it is
 * acknowledged, which is what survives the death of the process; and the journal is trimmed only after the records
 * are committed to the database, independently of when they were forced.
 */
public enum SyncPolicy {
    /**
     * Write to the file and acknowledge; never {@code fsync} while appending (only {@link Journal#close()} forces
     * what is left). Survives the death of the JVM ({@code kill -9}), not a crash or power loss of the machine.
     */
    NONE,
    /**
     * Write to the file and acknowledge without waiting; a background thread forces the journal every
     * {@linkplain Journal.Builder#syncInterval sync interval} (default 5 ms) when records were written since its last
     * {@code fsync} (one {@code fsync} for all of them: group commit). Survives {@code kill -9}; a machine crash or
     * power loss loses at most the records acknowledged in the last interval plus the duration of one {@code fsync}.
     * The default: acknowledgement at page-cache speed with a bounded loss window.
     */
    BATCH,
    /**
     * The caller waits until an {@code fsync} covering its record has completed; concurrent callers share one
     * {@code fsync} (group commit: the first waiter forces for every record written so far, the others wait for it).
     * Survives {@code kill -9} and a machine crash or power loss; every acknowledgement costs at least one
     * {@code fsync} of latency.
     */
    ALWAYS;

    /**
     * Parses {@code none}, {@code batch} or {@code always}, ignoring case.
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static SyncPolicy parse(String value) {
        Objects.requireNonNull(value, "syncPolicy");
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "none" -> NONE;
            case "batch" -> BATCH;
            case "always" -> ALWAYS;
            default ->
                throw new IllegalArgumentException(
                        "syncPolicy must be one of none, batch, always, was '" + value + "'");
        };
    }
}
