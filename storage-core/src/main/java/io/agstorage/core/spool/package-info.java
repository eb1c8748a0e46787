/**
 * A local spool for producers that answer their clients before the commit, such as the OTLP receiver:
 * {@link io.agstorage.core.spool.SampleSpool}.
 */
@NullMarked
package io.agstorage.core.spool;

import org.jspecify.annotations.NullMarked;
