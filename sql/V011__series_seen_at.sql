-- When a writer last resolved each series, so that retention can delete series that have no data left without
-- ever deleting one a writer still holds.
--
-- Every writer resolves the ids of the series it writes (INSERT ... ON CONFLICT against `series`) at least every
-- 15 minutes, and a resolve sets `seen_at` to now() when it is older than 15 minutes (taking the row's lock, so a
-- retention DELETE running at that moment either finished first, and the writer gets a new id, or re-checks
-- `seen_at` and keeps the row). Retention deletes a series only when `seen_at` is older than
-- `retention.series_grace_hours` (at least 2 hours) and no samples, histograms, exemplars, rollup rows or cumulative
-- state reference it.
--
-- Existing rows get the time this migration runs (adding a column with a non-volatile default rewrites nothing).
-- No index on it: an update of an unindexed column can stay a HOT update (no new entry in the GIN on labels), and
-- retention reads the small `series` table in one scan per run.
--
-- Run by the migration runner with `search_path` set to the target schema (default ag_storage) and
-- the TimescaleDB schema; to apply by hand:
--   psql -v ON_ERROR_STOP=1 -c 'SET search_path TO ag_storage, public' -f sql/V011__series_seen_at.sql

ALTER TABLE series ADD COLUMN seen_at timestamptz NOT NULL DEFAULT now();
