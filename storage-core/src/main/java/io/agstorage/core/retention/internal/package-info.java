/** Rollup definitions, the tier-specific maintenance and the rollup-aware query path; not API. */
@NullMarked
package io.agstorage.core.retention.internal;

import org.jspecify.annotations.NullMarked;
