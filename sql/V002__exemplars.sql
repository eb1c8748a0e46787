-- Exemplars of OpenTelemetry data points (otel-exporter): a recorded measurement with the trace and span it was
-- recorded in, kept beside the aggregated point so a dashboard can jump from a latency bucket to a trace.
-- One row per exemplar of a stored point; trace_id/span_id are lowercase hex (32/16 characters), NULL when the
-- measurement was not recorded inside a sampled span; attributes are the exemplar's filtered attributes.
CREATE TABLE exemplars (
    time       timestamptz      NOT NULL,
    series_id  bigint           NOT NULL,
    value      double precision NOT NULL,
    trace_id   text,
    span_id    text,
    attributes jsonb            NOT NULL DEFAULT '{}'::jsonb
);
SELECT create_hypertable('exemplars', by_range('time', INTERVAL '1 day'), create_default_indexes => false);
CREATE INDEX exemplars_series_id_time_idx ON exemplars (series_id, time DESC);
CREATE INDEX exemplars_trace_id_idx ON exemplars (trace_id) WHERE trace_id IS NOT NULL;
