/**
 * OpenTelemetry metrics into TimescaleDB: {@link io.agstorage.otel.TimescaleMetricExporter} (in-process, an OTel
 * SDK {@code MetricExporter}); the same mapping ({@link io.agstorage.otel.mapping}) serves
 * {@code io.agstorage.otlp.OtlpReceiver} (module {@code otlp-receiver}: an OTLP/gRPC + OTLP/HTTP server that any
 * Collector or OTel SDK can export to).
 *
 * <h2>How OTel data becomes rows</h2>
 * <ul>
 *   <li>Labels: point attributes keep their keys; resource attributes are prefixed {@code resource.}
 *       ({@code resource.service.name}); the instrumentation scope becomes {@code scope.name},
 *       {@code scope.version} and {@code scope.<attribute>}. A point attribute whose key equals a prefixed key
 *       wins. Non-string values are stored as text ({@code true}, {@code 42}, {@code 1.5}, arrays as JSON).</li>
 *   <li>Gauges: {@code gauge} series, one sample per point. Sums: {@code counter} (monotonic) or
 *       {@code up_down_counter} series whose samples are deltas (cumulative data is converted, see below).
 *       Histograms (explicit and exponential): one row per point in the {@code histograms} table, as deltas.
 *       Summaries: a {@code summary} series per quantile (label {@code quantile}) plus {@code <name>_count}
 *       and {@code <name>_sum} counters.</li>
 *   <li>Cumulative to delta: the last cumulative value of each series is kept in memory (bounded); a point with
 *       the same start time stores the difference, a new start time (a counter reset) or a drop stores the full
 *       value; a series first seen whose start time is before this exporter/receiver started is only remembered
 *       (its earlier increases may already be stored by a previous instance), so "increase over a bucket" is
 *       never double counted. A cumulative series that did not change stores a 0 delta (as Micrometer's step
 *       counters do); a retried export (same time) stores nothing.</li>
 *   <li>Exemplars: one row per exemplar of a stored point in the {@code exemplars} table (series, time, value, hex
 *       trace and span ids, filtered attributes), written after the point's commit, best effort.</li>
 * </ul>
 */
@NullMarked
package io.agstorage.otel;

import org.jspecify.annotations.NullMarked;
