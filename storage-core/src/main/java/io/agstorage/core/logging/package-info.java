/** Logging helpers shared by every module: a warning that repeats is logged at most once per interval. */
@NullMarked
package io.agstorage.core.logging;

import org.jspecify.annotations.NullMarked;
