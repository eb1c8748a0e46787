/**
 * Not API: the pieces {@link io.agstorage.micrometer.TimescaleMeterRegistry} is built from. May change in any release.
 */
@NullMarked
package io.agstorage.micrometer.internal;

import org.jspecify.annotations.NullMarked;
