/**
 * The ag-storage core: {@link io.agstorage.core.StorageConfig}, {@link io.agstorage.core.StorageEngine}
 * and the values that pass through it.
 */
@NullMarked
package io.agstorage.core;

import org.jspecify.annotations.NullMarked;
