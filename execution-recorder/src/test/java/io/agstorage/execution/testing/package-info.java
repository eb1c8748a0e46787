/** Test helpers: a cuttable TCP proxy and the child JVM of the crash test. */
@NullMarked
package io.agstorage.execution.testing;

import org.jspecify.annotations.NullMarked;
