/** Not API: mapping of OTel SDK and OTLP data to storage-core batches, the gRPC and HTTP endpoints. */
@NullMarked
package io.agstorage.otel.internal;

import org.jspecify.annotations.NullMarked;
