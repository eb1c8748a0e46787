/**
 * How OTel data becomes ag-storage rows, shared by the in-process {@link io.agstorage.otel.TimescaleMetricExporter}
 * and the OTLP receiver (module {@code otlp-receiver}); the rules are described in the
 * {@link io.agstorage.otel package documentation}.
 *
 * <ul>
 *   <li>{@link io.agstorage.otel.mapping.PointWriter}: the points of one export into one batch (series look-up,
 *       value and time rules, cumulative-to-delta, refusals with their reasons);</li>
 *   <li>{@link io.agstorage.otel.mapping.CumulativeState}: the cumulative-to-delta state of one exporter or
 *       receiver;</li>
 *   <li>{@link io.agstorage.otel.mapping.ExemplarStore}: writes the exemplars of committed points;</li>
 *   <li>{@link io.agstorage.otel.mapping.Labels}: the label names of resource and scope attributes.</li>
 * </ul>
 *
 * <p>Meant for the ag-storage OTel modules; an application exports through the SDK exporter or the receiver.
 */
@NullMarked
package io.agstorage.otel.mapping;

import org.jspecify.annotations.NullMarked;
