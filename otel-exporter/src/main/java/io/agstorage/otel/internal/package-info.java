/** Not API: mapping of OTel SDK data to a {@code PointWriter}, the SDK autoconfigure provider. */
@NullMarked
package io.agstorage.otel.internal;

import org.jspecify.annotations.NullMarked;
