/**
 * The OTLP receiver: {@link io.agstorage.otlp.OtlpReceiver}, an OTLP/gRPC + OTLP/HTTP server that any Collector or
 * OTel SDK can export metrics to, {@link io.agstorage.otlp.OtlpReceiverMain} (the runnable jar) and
 * {@link io.agstorage.otlp.OtlpReceiverMetrics} (its Micrometer meters). OTLP data becomes rows as described in the
 * {@link io.agstorage.otel io.agstorage.otel package documentation}, the same way as through the in-process
 * {@link io.agstorage.otel.TimescaleMetricExporter}.
 */
@NullMarked
package io.agstorage.otlp;

import org.jspecify.annotations.NullMarked;
