-- Fill identity: a fill is (venue, venue trade id, order id), whatever trade time each report of it carries.
--
-- A venue re-delivers trades after a reconnect (over WebSocket and REST alike), and a bot that builds each report
-- with Fill.of stamps it with the time it arrived, so two reports of one trade can carry two times. The unique key of
-- the `fills` hypertable must contain its partitioning column (venue_trade_time), so it cannot say "one row per
-- trade and order" by itself. `fill_keys` does: a small regular table holding, per (venue, venue trade id, order
-- id), the trade time of the first report. The execution writer upserts the keys of a batch first and writes every
-- fill at the time it gets back, so the (venue, venue_trade_id, order_id, venue_trade_time) upsert on `fills` turns
-- a re-report into the same row and a later settlement status into an update of it.
--
-- Retention: a key is needed only while its fill row exists. The execution writer deletes the keys older than the
-- oldest chunk of `fills` (FillKeyPruner in execution-recorder), so the table follows whatever retention drops from
-- `fills`.
--
-- Run by the migration runner with `search_path` set to the target schema (default ag_storage) and
-- the TimescaleDB schema; to apply by hand:
--   psql -v ON_ERROR_STOP=1 -c 'SET search_path TO ag_storage, public' -f sql/V006__fill_identity.sql

CREATE TABLE fill_keys (
    venue            text        NOT NULL,
    venue_trade_id   text        NOT NULL,
    order_id         uuid        NOT NULL,
    venue_trade_time timestamptz NOT NULL,
    PRIMARY KEY (venue, venue_trade_id, order_id)
);
CREATE INDEX fill_keys_venue_trade_time_idx ON fill_keys (venue_trade_time);

-- Fills stored before this version: the earliest report of each trade and order is the fill.
INSERT INTO fill_keys (venue, venue_trade_id, order_id, venue_trade_time)
SELECT venue, venue_trade_id, order_id, min(venue_trade_time)
FROM fills
GROUP BY venue, venue_trade_id, order_id;

-- Reports that were stored as extra rows: the fill keeps the most advanced settlement status any of them had,
-- and the extra rows go, so that volume, fees and VWAP count each fill once.
UPDATE fills f
SET settlement_status = d.settlement_status
FROM (
    SELECT DISTINCT ON (venue, venue_trade_id, order_id) venue, venue_trade_id, order_id, settlement_status
    FROM fills
    WHERE (venue, venue_trade_id, order_id) IN (
        SELECT venue, venue_trade_id, order_id FROM fills GROUP BY 1, 2, 3 HAVING count(*) > 1)
    ORDER BY venue, venue_trade_id, order_id,
             CASE settlement_status WHEN 'MATCHED' THEN 1 WHEN 'MINED' THEN 2 ELSE 3 END DESC
) d, fill_keys k
WHERE f.venue = d.venue AND f.venue_trade_id = d.venue_trade_id AND f.order_id = d.order_id
  AND k.venue = f.venue AND k.venue_trade_id = f.venue_trade_id AND k.order_id = f.order_id
  AND f.venue_trade_time = k.venue_trade_time
  AND f.settlement_status <> d.settlement_status;

DELETE FROM fills f
USING fill_keys k
WHERE k.venue = f.venue AND k.venue_trade_id = f.venue_trade_id AND k.order_id = f.order_id
  AND f.venue_trade_time <> k.venue_trade_time;
