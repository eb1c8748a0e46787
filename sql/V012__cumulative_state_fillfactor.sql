-- Room in each page of cumulative_state for the next version of its rows.
--
-- Every batch of cumulative points updates the state row of each of its series, so the table is rewritten as often
-- as a writer commits. At the default fillfactor (100) a page has no room for a row's new version: the update goes
-- to another page and adds a primary-key index entry, and the table and its index grow until a vacuum. With half of
-- each page free, the new version stays on its page (a HOT update: no index entry) and the old one is pruned there.
-- Measured (pgbench, one 2,000-row lock and update per transaction, as a writer's batch): 8.9 ms at fillfactor 100,
-- 6.7 ms at 50. The table holds one small row per series, so the space this costs is small.
-- Existing pages keep their fill until they are rewritten; new and moved rows follow the setting at once.
--
-- Run by the migration runner with `search_path` set to the target schema (default ag_storage) and
-- the TimescaleDB schema; to apply by hand:
--   psql -v ON_ERROR_STOP=1 -c 'SET search_path TO ag_storage, public' -f sql/V012__cumulative_state_fillfactor.sql

ALTER TABLE cumulative_state SET (fillfactor = 50);
