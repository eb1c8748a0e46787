-- Executions as desks keep them: orders, fills and position snapshots carry the strategy and the account they
-- belong to and free-form tags; orders keep how much of them is filled and at what average price.
--
-- strategy_id, account_id: text, null when not given. tags: text[] (a set, stored sorted and without duplicates),
-- null or empty when none; queries filter with `tags @> ?::text[]` (every given tag present), values always bound.
-- The new columns of the hypertables are nullable without a default, so adding them never rewrites a chunk (and is
-- allowed on a hypertable with compressed chunks).
--
-- orders.filled_qty / filled_notional: Σ size and Σ price × size of the order's fills whose settlement did not
-- fail, kept by the execution writer in the transaction that stores the fills (each fill — identified by
-- (venue, venue trade id, order id), see V006 — counts once; a fill whose settlement later FAILS is taken out
-- again). avg_fill_price = filled_notional / filled_qty rounded to 18 decimal places (the precision every amount of
-- the execution model has), null while nothing is filled.
--
-- positions: one snapshot per (venue, market, strategy, account, time): two strategies may snapshot the same market
-- at the same instant. The (venue, market, time DESC) index stays, non-unique, for the latest position of a market.
--
-- fills_daily_stats (V004 on the Apache edition, a continuous aggregate created by the RetentionManager on the TSL
-- tier) is grouped by strategy and fee currency too, so that fees of two currencies are never summed: keys
-- strategy_id and fee_currency ('' for none). On the Apache edition the table gets the two keys ('' for the rows
-- aggregated before this version, whose fees may mix currencies); the refresh rewrites the buckets of its late-data
-- window with the new keys. A continuous aggregate cannot change its GROUP BY: on the TSL tier the old one is kept,
-- renamed fills_daily_stats_v008 (drop it when its history is no longer needed), and the RetentionManager creates
-- the new one from the fills at its next run.
--
-- Run by the migration runner with `search_path` set to the target schema (default ag_storage) and
-- the TimescaleDB schema; to apply by hand:
--   psql -v ON_ERROR_STOP=1 -c 'SET search_path TO ag_storage, public' -f sql/V009__execution_strategies.sql

ALTER TABLE orders ADD COLUMN strategy_id text;
ALTER TABLE orders ADD COLUMN account_id text;
ALTER TABLE orders ADD COLUMN tags text[];
ALTER TABLE orders ADD COLUMN filled_qty numeric NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN filled_notional numeric NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN avg_fill_price numeric
    GENERATED ALWAYS AS (round(filled_notional / NULLIF(filled_qty, 0), 18)) STORED;
CREATE INDEX orders_strategy_id_created_at_idx ON orders (strategy_id, created_at);
CREATE INDEX orders_account_id_created_at_idx ON orders (account_id, created_at);
CREATE INDEX orders_tags_idx ON orders USING gin (tags);

ALTER TABLE fills ADD COLUMN strategy_id text;
ALTER TABLE fills ADD COLUMN account_id text;
ALTER TABLE fills ADD COLUMN tags text[];
CREATE INDEX fills_strategy_id_time_idx ON fills (strategy_id, venue_trade_time DESC);
CREATE INDEX fills_account_id_time_idx ON fills (account_id, venue_trade_time DESC);

ALTER TABLE positions ADD COLUMN strategy_id text;
ALTER TABLE positions ADD COLUMN account_id text;
ALTER TABLE positions ADD COLUMN tags text[];
DROP INDEX positions_venue_market_time_key;
CREATE INDEX positions_venue_market_time_key ON positions (venue, market, time DESC);
CREATE UNIQUE INDEX positions_identity_key
    ON positions (venue, market, (coalesce(strategy_id, '')), (coalesce(account_id, '')), time);
CREATE INDEX positions_strategy_id_time_idx ON positions (strategy_id, time DESC);

-- The fills of an order, found without visiting every chunk of `fills` (an order stored after its fills).
CREATE INDEX fill_keys_order_id_idx ON fill_keys (order_id);

DO $$
BEGIN
    IF to_regclass('fills_daily_stats') IS NULL THEN
        RETURN;
    ELSIF coalesce(current_setting('timescaledb.license', true), '') = 'apache' THEN
        ALTER TABLE fills_daily_stats
            ADD COLUMN strategy_id text NOT NULL DEFAULT '',
            ADD COLUMN fee_currency text NOT NULL DEFAULT '';
        ALTER TABLE fills_daily_stats DROP CONSTRAINT fills_daily_stats_pkey;
        ALTER TABLE fills_daily_stats ADD PRIMARY KEY (venue, market, side, strategy_id, fee_currency, bucket);
    ELSE
        ALTER MATERIALIZED VIEW fills_daily_stats RENAME TO fills_daily_stats_v008;
    END IF;
END
$$;

-- Orders stored before this version: their fills so far.
UPDATE orders o
SET filled_qty = s.qty, filled_notional = s.notional
FROM (
    SELECT order_id, sum(size) AS qty, sum(price * size) AS notional
    FROM fills
    WHERE settlement_status <> 'FAILED'
    GROUP BY order_id
) s
WHERE o.id = s.order_id;
