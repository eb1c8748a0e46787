/** Runnable examples of ag-storage; {@code scripts/demo} runs {@link io.agstorage.examples.Demo}. */
@NullMarked
package io.agstorage.examples;

import org.jspecify.annotations.NullMarked;
