/**
 * Retention, compression and rollups on every TimescaleDB tier: {@link io.agstorage.core.retention.RetentionManager}
 * and its background {@link io.agstorage.core.retention.RetentionScheduler}. What they keep comes from
 * {@link io.agstorage.core.retention.RetentionContributor}s, one per module, found with
 * {@link java.util.ServiceLoader}. A {@link io.agstorage.core.StorageEngine} runs a scheduler of its own unless
 * {@code retention.enabled} is false ({@link io.agstorage.core.RetentionSchedule}).
 *
 * <table>
 *   <caption>per tier</caption>
 *   <tr><th></th><th>TSL (Community)</th><th>Apache edition</th></tr>
 *   <tr><td>retention</td><td>native retention policies</td>
 *       <td>{@code drop_chunks}, run by {@link io.agstorage.core.retention.RetentionManager#runRetention()}</td></tr>
 *   <tr><td>compression</td><td>native, segment by {@code series_id}, newest first; compression policies</td>
 *       <td>unavailable: reported, never faked</td></tr>
 *   <tr><td>rollups</td><td>continuous aggregates (real-time) with refresh policies</td>
 *       <td>regular tables of the same name, refreshed incrementally from a watermark</td></tr>
 * </table>
 */
@NullMarked
package io.agstorage.core.retention;

import org.jspecify.annotations.NullMarked;
