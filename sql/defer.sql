--
-- Deferred online builds, the statement side (issue 13): safe_ddl.defer,
-- what is deferred and what is not, the queue rows, and the NOTICE.
-- Test instances run no deferred-build worker on the queue's rows here:
-- items stay queued (see test/safe_ddl.conf.in).
--
CREATE TABLE dfr_parent (id int PRIMARY KEY);
INSERT INTO dfr_parent SELECT generate_series(1, 1000);
CREATE TABLE dfr_orders (id int NOT NULL, total int, region text, parent_id int);
INSERT INTO dfr_orders SELECT g, g % 100, 'eu', g % 1000 + 1
  FROM generate_series(1, 10000) g;
ANALYZE dfr_orders;
-- with no threshold, every pre-existing table counts as big
SET safe_ddl.small_table_size = 0;

-- the setting: empty by default, a list of "index" and "validation"
SHOW safe_ddl.defer;
SET safe_ddl.defer = 'index, bogus';
SET safe_ddl.defer = 'validation';
SHOW safe_ddl.defer;
SET safe_ddl.defer = 'index, validation';
SHOW safe_ddl.defer;
-- application roles cannot set it
CREATE ROLE dfr_app;
SET ROLE dfr_app;
SET safe_ddl.defer = '';
RESET ROLE;
DROP ROLE dfr_app;

\set VERBOSITY default

-- a CREATE INDEX in a transaction block: queued, not built
BEGIN;
CREATE INDEX dfr_orders_total_idx ON dfr_orders (total);
-- no name: the one PostgreSQL would choose; expressions, WHERE, INCLUDE kept
CREATE INDEX ON dfr_orders USING btree (lower(region), total) INCLUDE (id) WHERE total > 5;
-- a second one of the same columns takes the next name, as it would have
CREATE INDEX ON dfr_orders (lower(region), total);
CREATE INDEX ON dfr_orders ((total + 1), (region::text), total, total);
SELECT count(*) AS built FROM pg_index WHERE indrelid = 'dfr_orders'::regclass;
COMMIT;
SELECT id, kind, relid::regclass, relation, object_name, statement, original,
       queued_by, state, attempts, search_path
  FROM safe_ddl.deferred_queue ORDER BY id;

-- a rolled-back migration queues nothing
BEGIN;
CREATE INDEX dfr_orders_region_idx ON dfr_orders (region);
ROLLBACK;
SELECT count(*) FROM safe_ddl.deferred_queue WHERE object_name = 'dfr_orders_region_idx';

-- UNIQUE is never deferred: refused as before
BEGIN;
CREATE UNIQUE INDEX dfr_orders_id_key ON dfr_orders (id);
ROLLBACK;

-- "index" not listed: refused as before
SET safe_ddl.defer = 'validation';
BEGIN;
CREATE INDEX dfr_orders_region_idx ON dfr_orders (region);
ROLLBACK;
SET safe_ddl.defer = 'index, validation';

-- a table new in the transaction, a small table: built at once, as before
BEGIN;
CREATE TABLE dfr_new AS SELECT generate_series(1, 1000) AS a;
CREATE INDEX dfr_new_a_idx ON dfr_new (a);
ROLLBACK;
RESET safe_ddl.small_table_size;
BEGIN;
CREATE INDEX dfr_parent_small_idx ON dfr_parent (id);
SELECT count(*) AS built FROM pg_class WHERE relname = 'dfr_parent_small_idx';
ROLLBACK;
SET safe_ddl.small_table_size = 0;

-- observe mode: runs as given, and says enforce would defer it
SET safe_ddl.mode = observe;
BEGIN;
CREATE INDEX dfr_orders_region_idx ON dfr_orders (region);
ROLLBACK;
RESET safe_ddl.mode;

-- autocommit: rewritten to CONCURRENTLY as before, never deferred
CREATE INDEX dfr_orders_parent_idx ON dfr_orders (parent_id);
SELECT indisvalid FROM pg_index WHERE indexrelid = 'dfr_orders_parent_idx'::regclass;
DROP INDEX dfr_orders_parent_idx;

-- CHECK and FOREIGN KEY: added NOT VALID now, VALIDATE queued; an earlier
-- ADD COLUMN of the same transaction (ACCESS EXCLUSIVE held) does not
-- prevent it, since no scan is left
BEGIN;
ALTER TABLE dfr_orders ADD COLUMN note text;
ALTER TABLE dfr_orders ADD CONSTRAINT dfr_orders_total_check CHECK (total >= 0);
ALTER TABLE dfr_orders ADD FOREIGN KEY (parent_id) REFERENCES dfr_parent (id);
COMMIT;
SELECT conname, convalidated FROM pg_constraint
 WHERE conrelid = 'dfr_orders'::regclass ORDER BY 1;
SELECT id, kind, object_name, statement, state FROM safe_ddl.deferred_queue
 WHERE kind = 'validation' ORDER BY id;
-- the NOT VALID constraint holds for new rows at once
INSERT INTO dfr_orders VALUES (0, -1, 'eu', 1);
INSERT INTO dfr_orders VALUES (0, 1, 'eu', 5000);
\set VERBOSITY terse
