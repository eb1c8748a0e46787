/**
 * Storage-core's own retention contribution, the merged plan, the tier-specific maintenance (leader lock, chunk
 * retention, compression, TSL policies, rollup refresh) and the rollup-aware query path; not API.
 */
@NullMarked
package io.agstorage.core.retention.internal;

import org.jspecify.annotations.NullMarked;
