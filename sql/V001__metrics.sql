-- Metrics model: a small regular `series` table (metric + labels, GIN on labels) and two hypertables
-- that hold only (time, series_id, value...), the Promscale/TSBS lesson: labels are stored once per
-- series, never per sample, and the hypertables keep one narrow index each.
--
-- Run by the migration runner with `search_path` set to the target schema (default ag_storage) and
-- the TimescaleDB schema; to apply by hand:
--   psql -v ON_ERROR_STOP=1 -c 'CREATE SCHEMA IF NOT EXISTS ag_storage' \
--        -c 'SET search_path TO ag_storage, public' -f sql/V001__metrics.sql

CREATE TABLE series (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    metric      text        NOT NULL,
    labels      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    type        text        NOT NULL DEFAULT 'gauge',
    unit        text,
    temporality text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT series_metric_labels_key UNIQUE (metric, labels)
);
CREATE INDEX series_labels_gin ON series USING gin (labels jsonb_path_ops);

CREATE TABLE samples (
    time      timestamptz      NOT NULL,
    series_id bigint           NOT NULL,
    value     double precision NOT NULL
);
SELECT create_hypertable('samples', by_range('time', INTERVAL '1 day'), create_default_indexes => false);
CREATE INDEX samples_series_id_time_idx ON samples (series_id, time DESC);

-- One row per histogram snapshot, keeping its shape: explicit bucket bounds with per-bucket counts
-- (Micrometer histograms, OTel explicit-bucket histograms), or base-2 exponential buckets
-- (OTel exponential histograms: scale, zero count, offset + counts on each side).
-- bucket_counts has one more entry than bucket_bounds (the +Inf bucket); counts are not cumulative.
CREATE TABLE histograms (
    time            timestamptz        NOT NULL,
    series_id       bigint             NOT NULL,
    count           bigint             NOT NULL,
    sum             double precision,
    min             double precision,
    max             double precision,
    bucket_bounds   double precision[],
    bucket_counts   bigint[],
    scale           integer,
    zero_count      bigint,
    positive_offset integer,
    positive_counts bigint[],
    negative_offset integer,
    negative_counts bigint[]
);
SELECT create_hypertable('histograms', by_range('time', INTERVAL '1 day'), create_default_indexes => false);
CREATE INDEX histograms_series_id_time_idx ON histograms (series_id, time DESC);

-- The seed's shape, so SQL written against `metrics(timestamp, metric_name, value, labels)` keeps working.
CREATE VIEW metrics AS
SELECT s.time AS "timestamp", r.metric AS metric_name, s.value, r.labels
FROM samples s
JOIN series r ON r.id = s.series_id;
