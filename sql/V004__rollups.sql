-- Rollups: hourly and daily aggregates of the metrics, daily statistics of orders and fills.
--
-- On TimescaleDB with the Timescale License the four rollups are continuous aggregates, created by
-- ag-storage's RetentionManager (never by a migration: they do not exist on the Apache edition). On the
-- Apache edition this file creates them as regular tables with the same names and columns, which the
-- RetentionManager keeps up to date incrementally. Either way `SELECT ... FROM metrics_hourly` works.
--
-- rollup_watermarks: per rollup, the time up to which it answers exactly (every bucket starting before
-- `watermark` is complete). StorageEngine.queryAggregated reads a rollup only for ranges ending at or
-- before it. On the TSL tier the continuous aggregates are real-time (materialized_only = false), so
-- their watermark is 'infinity'.
--
-- Run by the migration runner with `search_path` set to the target schema (default ag_storage) and
-- the TimescaleDB schema; to apply by hand:
--   psql -v ON_ERROR_STOP=1 -c 'CREATE SCHEMA IF NOT EXISTS ag_storage' \
--        -c 'SET search_path TO ag_storage, public' -f sql/V004__rollups.sql

CREATE TABLE rollup_watermarks (
    rollup     text        PRIMARY KEY,
    watermark  timestamptz NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

DO $$
BEGIN
    IF coalesce(current_setting('timescaledb.license', true), '') <> 'apache' THEN
        RETURN;  -- TSL tier: continuous aggregates, created by the RetentionManager
    END IF;

    -- One row per (series, hour) / (series, day) of samples; AVG = value_sum / sample_count.
    CREATE TABLE metrics_hourly (
        bucket       timestamptz      NOT NULL,
        series_id    bigint           NOT NULL,
        sample_count bigint           NOT NULL,
        value_sum    double precision NOT NULL,
        value_min    double precision NOT NULL,
        value_max    double precision NOT NULL,
        time_first   timestamptz      NOT NULL,
        value_first  double precision NOT NULL,
        time_last    timestamptz      NOT NULL,
        value_last   double precision NOT NULL,
        PRIMARY KEY (series_id, bucket)
    );
    CREATE INDEX metrics_hourly_bucket_idx ON metrics_hourly (bucket);

    CREATE TABLE metrics_daily (LIKE metrics_hourly INCLUDING ALL);

    IF to_regclass('order_events') IS NOT NULL AND to_regclass('orders') IS NOT NULL THEN
        -- Order status transitions per day, venue, market and new status.
        CREATE TABLE orders_daily_stats (
            bucket      timestamptz NOT NULL,
            venue       text        NOT NULL,
            market      text        NOT NULL,
            status      text        NOT NULL,
            event_count bigint      NOT NULL,
            size_sum    numeric     NOT NULL,
            PRIMARY KEY (venue, market, status, bucket)
        );
        CREATE INDEX orders_daily_stats_bucket_idx ON orders_daily_stats (bucket);
    END IF;

    IF to_regclass('fills') IS NOT NULL THEN
        -- Fills per day, venue, market and side; vwap = notional / volume = sum(price * size) / sum(size).
        CREATE TABLE fills_daily_stats (
            bucket     timestamptz NOT NULL,
            venue      text        NOT NULL,
            market     text        NOT NULL,
            side       text        NOT NULL,
            fill_count bigint      NOT NULL,
            volume     numeric     NOT NULL,
            notional   numeric     NOT NULL,
            vwap       numeric,
            fees       numeric     NOT NULL,
            PRIMARY KEY (venue, market, side, bucket)
        );
        CREATE INDEX fills_daily_stats_bucket_idx ON fills_daily_stats (bucket);
    END IF;
END
$$;
