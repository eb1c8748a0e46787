-- Cumulative-to-delta state, shared by every writer of a schema.
--
-- OpenTelemetry sums and histograms usually arrive cumulative (the total since a start time); they are stored as
-- deltas, so "increase over a bucket" is a plain sum. The delta of a point is its value minus the last value of its
-- series. That last value lives here, one row per series, and the writer reads (locking the row), updates it and
-- writes the delta rows in one transaction. So any number of receivers, fed in any order, restarted or replaying a
-- spool, store exact increases: a point at or before the stored time (a retry, a replay, a late copy) adds nothing,
-- and two receivers writing one series serialize on its row.
--
-- cumulative_state_horizon holds when the state started to be kept (when this migration ran). A series without a
-- state row whose start time is at or after it is new: its whole value is its increase. One that started before it
-- may have had increases stored by a writer that kept its state in memory (before this version): its first point
-- is only a baseline, so that nothing is counted twice.
--
-- Run by the migration runner with `search_path` set to the target schema (default ag_storage) and
-- the TimescaleDB schema; to apply by hand:
--   psql -v ON_ERROR_STOP=1 -c 'SET search_path TO ag_storage, public' -f sql/V008__cumulative_state.sql

CREATE TABLE cumulative_state (
    series_id   bigint           PRIMARY KEY REFERENCES series (id) ON DELETE CASCADE,
    -- The start time of the last point, in nanoseconds since the epoch (0: unknown); null in a row just created.
    start_nanos bigint,
    -- The time of the last point, in microseconds since the epoch (the precision of the rows).
    time_micros bigint,
    -- The last cumulative value of a sum.
    value       double precision,
    -- The last cumulative snapshot of a histogram (the spool record encoding of a histogram).
    histogram   bytea
);

CREATE TABLE cumulative_state_horizon (
    one         boolean PRIMARY KEY DEFAULT true CHECK (one),
    since_nanos bigint  NOT NULL
);
INSERT INTO cumulative_state_horizon (since_nanos)
VALUES ((extract(epoch FROM clock_timestamp()) * 1000000000)::bigint);
