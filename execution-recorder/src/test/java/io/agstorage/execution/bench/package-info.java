/** The execution benchmark run by {@code scripts/bench execution}. */
@NullMarked
package io.agstorage.execution.bench;

import org.jspecify.annotations.NullMarked;
