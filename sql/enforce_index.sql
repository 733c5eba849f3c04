--
-- Enforcement of the index rules: require-concurrent-index-creation,
-- require-concurrent-index-deletion, require-concurrent-reindex.
-- Each is allowed on new and small tables, rewritten in autocommit and
-- rejected in a transaction block, with the exact text users see.
--
CREATE TABLE enf_orders (id int NOT NULL, total int, region text);
INSERT INTO enf_orders SELECT g, g % 100, 'eu' FROM generate_series(1, 10000) g;
ANALYZE enf_orders;

-- the fixture is below the default threshold (10MB): allowed as is
SHOW safe_ddl.small_table_size;
BEGIN;
CREATE INDEX enf_orders_total_idx ON enf_orders (total);
ROLLBACK;

-- with no threshold, every pre-existing table counts as big
SET safe_ddl.small_table_size = 0;
-- serial index builds: deterministic duplicate-key errors
SET max_parallel_maintenance_workers = 0;

-- created in this transaction: allowed, nobody else can see it
BEGIN;
CREATE TABLE enf_new (a int);
INSERT INTO enf_new SELECT generate_series(1, 10000);
CREATE INDEX enf_new_a_idx ON enf_new (a);
DROP INDEX enf_new_a_idx;
REINDEX TABLE enf_new;
ROLLBACK;

-- temporary tables: allowed
CREATE TEMP TABLE enf_temp AS SELECT generate_series(1, 10000) AS a;
BEGIN;
CREATE INDEX enf_temp_a_idx ON enf_temp (a);
ROLLBACK;

-- in a transaction block: rejected before any lock is taken
BEGIN;
CREATE INDEX enf_orders_total_idx ON enf_orders (total);
ROLLBACK;
BEGIN;
CREATE UNIQUE INDEX enf_orders_id_idx ON enf_orders USING btree (id) WHERE id > 0;
ROLLBACK;

-- in autocommit: rewritten to CONCURRENTLY, with the same effect
CREATE INDEX enf_orders_total_idx ON enf_orders (total);
CREATE UNIQUE INDEX enf_orders_id_idx ON enf_orders USING btree (id) WHERE id > 0;
SELECT indexrelid::regclass AS index, indisvalid, indisunique,
       pg_get_indexdef(indexrelid)
  FROM pg_index WHERE indrelid = 'enf_orders'::regclass ORDER BY 1;

-- a failed rewrite leaves nothing behind (no INVALID index) and gives the
-- original error: total has duplicates
CREATE UNIQUE INDEX enf_orders_total_uniq ON enf_orders (total);
SELECT indexrelid::regclass AS index, indisvalid
  FROM pg_index WHERE indrelid = 'enf_orders'::regclass ORDER BY 1;

-- REINDEX: rejected in a block, rewritten in autocommit
BEGIN;
REINDEX INDEX enf_orders_total_idx;
ROLLBACK;
BEGIN;
REINDEX TABLE enf_orders;
ROLLBACK;
REINDEX INDEX enf_orders_total_idx;
REINDEX TABLE enf_orders;
SELECT indexrelid::regclass AS index, indisvalid
  FROM pg_index WHERE indrelid = 'enf_orders'::regclass ORDER BY 1;

-- DROP INDEX: rejected in a block, rewritten in autocommit
BEGIN;
DROP INDEX enf_orders_total_idx;
ROLLBACK;
DROP INDEX enf_orders_total_idx;
-- several indexes or CASCADE cannot be dropped concurrently: rejected
DROP INDEX enf_orders_id_idx, enf_orders_id_idx;
SELECT indexrelid::regclass AS index, indisvalid
  FROM pg_index WHERE indrelid = 'enf_orders'::regclass ORDER BY 1;

-- from a function: rejected, CONCURRENTLY cannot run there
DO $$ BEGIN CREATE INDEX enf_orders_region_idx ON enf_orders (region); END $$;

-- an index without a name
BEGIN;
CREATE INDEX ON enf_orders (region);
ROLLBACK;

RESET safe_ddl.small_table_size;
DROP TABLE enf_orders;
