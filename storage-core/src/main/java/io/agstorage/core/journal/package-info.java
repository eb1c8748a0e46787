/**
 * A local durability component: checksummed, append-only segment files of opaque {@code byte[]} records,
 * each with a sequence number, replayed on open and trimmed once the records are safe elsewhere.
 * Knows nothing of what the records mean: it serves the execution recorder's journal and the OTLP receiver's spool.
 */
@NullMarked
package io.agstorage.core.journal;

import org.jspecify.annotations.NullMarked;
