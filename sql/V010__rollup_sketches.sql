-- Percentiles from the rollups: a mergeable sketch of the values of each series and bucket, kept in the column
-- `value_sketch` of `metrics_hourly` and `metrics_daily` (on both tiers).
--
-- The sketch is a log-bucketed histogram with a relative accuracy of 0.5% (DDSketch's construction): with
-- gamma = (1 + 0.005) / (1 - 0.005), a value v > 0 falls in bucket i = ceil(ln(v) / ln(gamma)), i.e. in
-- (gamma^(i-1), gamma^i], and is read back as 2 * gamma^i / (1 + gamma), within 0.5% of every value of the bucket.
-- Negative values use the same buckets mirrored; zero has a bucket of its own. Each bucket is stored as one bigint,
-- key << 43 | count, with key = i + 100000 for v > 0, -(i + 100000) for v < 0 and 0 for v = 0 (so keys sort as the
-- values do), sorted by key. Counts of up to 2^43 - 1 per bucket fit. Two sketches merge exactly: their counts add.
--
-- The functions below are what the rollups and StorageEngine.queryAggregated use; they are plain SQL, usable by
-- hand, e.g. the P99 of a series over 30 days from the daily rollup:
--   SELECT sketch_quantile(sketch_merge(value_sketch), 0.99) FROM metrics_daily
--   WHERE series_id = 42 AND bucket >= now() - interval '30 days';
--
-- On the Apache edition the rollup tables get the column here; rows written before this migration keep a NULL
-- sketch (percentiles over them are read from `samples`) until their range is re-aggregated
-- (`ag-storage rollups refresh --from ... --to ...` while the raw samples are still retained). On the TSL tier the
-- continuous aggregates are created by the RetentionManager with the column; ones created before this version keep
-- their old definition (percentiles read `samples`) until they are dropped, which loses the buckets older than
-- the raw retention, and recreated by the next RetentionManager.
--
-- Run by the migration runner with `search_path` set to the target schema (default ag_storage) and
-- the TimescaleDB schema; to apply by hand:
--   psql -v ON_ERROR_STOP=1 -c 'SET search_path TO ag_storage, public' -f sql/V010__rollup_sketches.sql

-- The sketch entry of one value (count 1); an aggregate turns many into a sketch with sketch_compact.
CREATE FUNCTION sketch_entry(v double precision) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ((CASE WHEN v > 0 THEN ceil(ln(v) / ln('1.005'::float8 / '0.995'::float8))::bigint + 100000
                  WHEN v < 0 THEN -(ceil(ln(-v) / ln('1.005'::float8 / '0.995'::float8))::bigint + 100000)
                  ELSE 0 END) << 43) | 1
$$;

-- Sketch entries in any order, keys repeated: one entry per key, counts added, sorted by key.
CREATE FUNCTION sketch_compact(entries bigint[]) RETURNS bigint[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT array_agg((b.k << 43) | b.n ORDER BY b.k)
    FROM (SELECT e >> 43 AS k, sum(e & 8796093022207)::bigint AS n FROM unnest(entries) e GROUP BY 1) b
$$;

-- Merges sketches (hourly into daily, a range of rows into one): the counts of each key added.
CREATE AGGREGATE sketch_merge(bigint[]) (SFUNC = array_cat, STYPE = bigint[], FINALFUNC = sketch_compact);

-- The q-quantile (0 <= q <= 1) of the values a sketch holds, as percentile_cont computes it over the values
-- themselves (interpolating between the two values around rank q * (n - 1)), each value read back from its bucket:
-- within 0.5% of the exact answer when both values have the same sign. Entries may repeat keys (unmerged input).
CREATE FUNCTION sketch_quantile(entries bigint[], q double precision) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    WITH b AS (SELECT e >> 43 AS k, sum(e & 8796093022207)::float8 AS n FROM unnest(entries) e GROUP BY 1),
    c AS (SELECT k, sum(n) OVER (ORDER BY k) AS cum, sum(n) OVER () AS total FROM b),
    r AS (SELECT q * (max(total) - 1) AS rank FROM c),
    i AS (SELECT r.rank - floor(r.rank) AS f,
                 (SELECT c.k FROM c WHERE c.cum > floor(r.rank) ORDER BY c.k LIMIT 1) AS lo,
                 (SELECT c.k FROM c WHERE c.cum > ceil(r.rank) ORDER BY c.k LIMIT 1) AS hi
          FROM r),
    v AS (SELECT i.f,
                 CASE WHEN i.lo > 0 THEN 2 * power(g.g, i.lo - 100000) / (1 + g.g)
                      WHEN i.lo < 0 THEN -2 * power(g.g, -i.lo - 100000) / (1 + g.g) ELSE 0 END AS lo,
                 CASE WHEN i.hi > 0 THEN 2 * power(g.g, i.hi - 100000) / (1 + g.g)
                      WHEN i.hi < 0 THEN -2 * power(g.g, -i.hi - 100000) / (1 + g.g) ELSE 0 END AS hi
          FROM i, (SELECT '1.005'::float8 / '0.995'::float8 AS g) g)
    SELECT CASE WHEN v.f = 0 THEN v.lo ELSE v.lo + v.f * (v.hi - v.lo) END FROM v
$$;

DO $$
BEGIN
    -- Apache edition: the rollups are tables (V004); on the TSL tier they are continuous aggregates, or not yet there.
    IF (SELECT relkind FROM pg_class WHERE oid = to_regclass('metrics_hourly')) = 'r' THEN
        ALTER TABLE metrics_hourly ADD COLUMN value_sketch bigint[];
    END IF;
    IF (SELECT relkind FROM pg_class WHERE oid = to_regclass('metrics_daily')) = 'r' THEN
        ALTER TABLE metrics_daily ADD COLUMN value_sketch bigint[];
    END IF;
END
$$;
