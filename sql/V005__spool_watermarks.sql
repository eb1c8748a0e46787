-- How far each local spool (journal records acknowledged before their rows were committed, e.g. by the OTLP
-- receiver) has been committed: records before `sequence` whole, and the first `entries` entries of that one.
-- Written in the same transaction as the spooled rows, so that after a crash a spool replays exactly what is not
-- in the database, never a row twice.
CREATE TABLE spool_watermarks (
    spool       uuid        PRIMARY KEY,
    sequence    bigint      NOT NULL,
    entries     integer     NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
