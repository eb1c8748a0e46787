/** Not API: the gRPC and HTTP endpoints, OTLP protobuf and JSON decoding, OTLP to rows mapping, TLS, series cache. */
@NullMarked
package io.agstorage.otlp.internal;

import org.jspecify.annotations.NullMarked;
