/** The JSON form of label sets ({@code series.labels}), shared by every module that writes or reads it. */
@NullMarked
package io.agstorage.core.json;

import org.jspecify.annotations.NullMarked;
