-- Execution model: orders (current state), order_events (append-only transitions), fills and position
-- snapshots. Prices, sizes and fees are NUMERIC (exact); fees are signed (a maker rebate is < 0). Market
-- ids are stored exactly as given (0x-hex condition ids, 78-digit decimal token ids).
--
-- Unique indexes on a hypertable must contain its time column, so the natural keys below all end with
-- the partitioning column. Every write the execution recorder makes is idempotent against these keys:
-- a journal replay or a duplicate call never creates a second row.
--
-- Run by the migration runner with `search_path` set to the target schema (default ag_storage) and
-- the TimescaleDB schema; to apply by hand:
--   psql -v ON_ERROR_STOP=1 -c 'CREATE SCHEMA IF NOT EXISTS ag_storage' \
--        -c 'SET search_path TO ag_storage, public' -f sql/V003__executions.sql

-- Current state of each order; a regular table (updated in place, looked up by id).
CREATE TABLE orders (
    id              uuid        PRIMARY KEY,
    client_order_id text,
    venue_order_id  text,
    venue           text        NOT NULL,
    market          text        NOT NULL,
    side            text        NOT NULL,
    order_type      text        NOT NULL,
    time_in_force   text        NOT NULL,
    price           numeric,
    size            numeric     NOT NULL,
    status          text        NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    expires_at      timestamptz,
    CONSTRAINT orders_client_order_id_key UNIQUE (client_order_id)
);
CREATE INDEX orders_created_at_idx ON orders (created_at);
CREATE INDEX orders_venue_market_created_at_idx ON orders (venue, market, created_at);

-- One row per status change (including the first, previous_status NULL); never updated.
CREATE TABLE order_events (
    time            timestamptz NOT NULL,
    event_id        uuid        NOT NULL,
    order_id        uuid        NOT NULL,
    status          text        NOT NULL,
    previous_status text,
    price           numeric,
    size            numeric     NOT NULL,
    venue_order_id  text,
    reason          text
);
SELECT create_hypertable('order_events', by_range('time', INTERVAL '7 days'), create_default_indexes => false);
CREATE UNIQUE INDEX order_events_event_id_time_key ON order_events (event_id, time);
CREATE INDEX order_events_order_id_time_idx ON order_events (order_id, time DESC);

-- One row per (venue trade, our order): one venue trade can fill several of our orders.
CREATE TABLE fills (
    venue_trade_time  timestamptz NOT NULL,
    venue             text        NOT NULL,
    venue_trade_id    text        NOT NULL,
    order_id          uuid        NOT NULL,
    market            text        NOT NULL,
    side              text        NOT NULL,
    price             numeric     NOT NULL,
    size              numeric     NOT NULL,
    fee               numeric     NOT NULL DEFAULT 0,
    fee_currency      text,
    liquidity         text,
    settlement_status text        NOT NULL,
    recorded_at       timestamptz NOT NULL DEFAULT now()
);
SELECT create_hypertable('fills', by_range('venue_trade_time', INTERVAL '7 days'), create_default_indexes => false);
CREATE UNIQUE INDEX fills_venue_trade_order_key ON fills (venue, venue_trade_id, order_id, venue_trade_time);
CREATE INDEX fills_order_id_time_idx ON fills (order_id, venue_trade_time DESC);
CREATE INDEX fills_venue_market_time_idx ON fills (venue, market, venue_trade_time DESC);

-- Position snapshots; the latest per (venue, market) is one index probe:
--   SELECT ... WHERE venue = $1 AND market = $2 ORDER BY time DESC LIMIT 1
CREATE TABLE positions (
    time            timestamptz NOT NULL,
    venue           text        NOT NULL,
    market          text        NOT NULL,
    size            numeric     NOT NULL,
    avg_entry_price numeric,
    realized_pnl    numeric     NOT NULL DEFAULT 0,
    unrealized_pnl  numeric     NOT NULL DEFAULT 0
);
SELECT create_hypertable('positions', by_range('time', INTERVAL '7 days'), create_default_indexes => false);
CREATE UNIQUE INDEX positions_venue_market_time_key ON positions (venue, market, time DESC);
CREATE INDEX positions_market_time_idx ON positions (market, time DESC);
