/**
 * A local durability component: checksummed, append-only segment files of opaque {@code byte[]} records,
 * each with a sequence number, replayed on open and trimmed once the records are safe elsewhere.
 * Knows nothing of what the records mean (the execution recorder today, the metrics spool later).
 */
@NullMarked
package io.agstorage.execution.journal;

import org.jspecify.annotations.NullMarked;
