/** Internal to the execution recorder: not API, may change in any release. */
@NullMarked
package io.agstorage.execution.internal;

import org.jspecify.annotations.NullMarked;
