/**
 * Retention, compression and rollups on every TimescaleDB tier: {@link io.agstorage.core.retention.RetentionManager}
 * and its background {@link io.agstorage.core.retention.RetentionScheduler}. What they keep comes from
 * {@link io.agstorage.core.retention.RetentionContributor}s, one per module, found with
 * {@link java.util.ServiceLoader}.
 */
@NullMarked
package io.agstorage.core.retention;

import org.jspecify.annotations.NullMarked;
