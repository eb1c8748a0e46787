/**
 * Retention, compression and rollups on every TimescaleDB tier: {@link io.agstorage.core.retention.RetentionManager}
 * and its background {@link io.agstorage.core.retention.RetentionScheduler}.
 */
@NullMarked
package io.agstorage.core.retention;

import org.jspecify.annotations.NullMarked;
