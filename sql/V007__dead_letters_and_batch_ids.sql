-- Rows the database refused for good (SQLSTATE class 22 data exception or 23 integrity constraint violation),
-- isolated from the batch they came in (the rest of which was written): one row each, for an operator to see, fix
-- and replay. `door` names the writer (samples, histograms, cumulative, execution); `series_id` and `order_id` say
-- whose row it was when known; `payload` is the row itself.
CREATE TABLE dead_letters (
    id          bigserial   PRIMARY KEY,
    time        timestamptz NOT NULL DEFAULT now(),
    door        text        NOT NULL,
    series_id   bigint,
    order_id    uuid,
    payload     jsonb       NOT NULL,
    sqlstate    text,
    message     text
);
CREATE INDEX dead_letters_time_idx ON dead_letters (time DESC);

-- One row per batch of an engine's writer, written in the batch's transaction: after a connection lost around the
-- COMMIT the writer finds out whether the batch is in (its row is here) before writing it again. Each writer prunes
-- its own old rows; rows of writers gone for a day are pruned by any writer.
CREATE TABLE writer_batches (
    writer_id   uuid        NOT NULL,
    batch_id    bigint      NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (writer_id, batch_id)
);
