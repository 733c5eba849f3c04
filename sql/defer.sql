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
 WHERE conrelid = 'dfr_orders'::regclass AND contype IN ('c', 'f') ORDER BY 1;
SELECT id, kind, object_name, statement, state FROM safe_ddl.deferred_queue
 WHERE kind = 'validation' ORDER BY id;
-- the NOT VALID constraint holds for new rows at once
INSERT INTO dfr_orders VALUES (0, -1, 'eu', 1);
INSERT INTO dfr_orders VALUES (0, 1, 'eu', 5000);
\set VERBOSITY terse

-- safe_ddl.check() says what a transaction block would defer
SELECT statement_no, command, relation, action, rule, message
  FROM safe_ddl.check($$BEGIN;
CREATE INDEX dfr_orders_region_idx ON dfr_orders (region);
CREATE UNIQUE INDEX dfr_orders_id_key ON dfr_orders (id);
ALTER TABLE dfr_orders ADD CONSTRAINT dfr_c CHECK (total < 1000);
COMMIT;$$) WHERE relation IS NOT NULL ORDER BY 1;

-- the view: everyone may read it; no worker runs here, so no progress
SELECT id, kind, database = current_database() AS this_db, relation,
       object_name, state, attempts, phase
  FROM safe_ddl.deferred ORDER BY id;

--
-- Consistency: a statement needing a queued object fails, naming the item
--
\set VERBOSITY default
CREATE INDEX dfr_orders_total_idx ON dfr_orders (region);
ALTER INDEX dfr_orders_total_idx SET (fillfactor = 50);
ALTER INDEX dfr_orders_total_idx RENAME TO dfr_other;
\set VERBOSITY terse
COMMENT ON INDEX dfr_orders_total_idx IS 'x';
REINDEX INDEX dfr_orders_total_idx;
ALTER TABLE dfr_orders ADD CONSTRAINT dfr_u UNIQUE USING INDEX dfr_orders_total_idx;
ALTER TABLE dfr_orders CLUSTER ON dfr_orders_total_idx;
ALTER TABLE dfr_orders VALIDATE CONSTRAINT dfr_orders_total_check;
ALTER TABLE dfr_orders RENAME CONSTRAINT dfr_orders_total_check TO dfr_c;
-- the queued statements name the table and its columns
ALTER TABLE dfr_orders RENAME TO dfr_other;
ALTER TABLE dfr_orders RENAME COLUMN total TO amount;
CREATE SCHEMA dfr_schema;
ALTER TABLE dfr_orders SET SCHEMA dfr_schema;
-- no other relation may take a queued name meanwhile
CREATE TABLE dfr_orders_total_idx (a int);
CREATE VIEW dfr_orders_total_idx AS SELECT 1 AS a;
ALTER TABLE dfr_parent RENAME TO dfr_orders_total_idx;
-- a qualified name finds the item too
ALTER INDEX public.dfr_orders_total_idx SET (fillfactor = 50);
-- the break-glass lets it through, with a WARNING
BEGIN;
SET LOCAL safe_ddl.mode = observe;
ALTER TABLE dfr_orders RENAME COLUMN region TO area;
ROLLBACK;
-- other statements on the table are not in the way
ALTER TABLE dfr_orders ADD COLUMN note2 text;

-- an unnamed index does not take the name of a queued build
RESET safe_ddl.small_table_size;
CREATE INDEX ON dfr_orders (total);
SELECT relname FROM pg_class WHERE relname LIKE 'dfr_orders_total%' ORDER BY 1;
DROP INDEX dfr_orders_total_idx1;
SET safe_ddl.small_table_size = 0;

-- DROP INDEX of a queued index cancels it; with a real index, drops that
CREATE INDEX dfr_parent_real_idx ON dfr_parent (id);
BEGIN;
SET LOCAL safe_ddl.small_table_size = '1GB';
DROP INDEX dfr_orders_total_idx, dfr_parent_real_idx;
SAVEPOINT s;
-- a DROP INDEX of queued indexes only runs nothing else
SET LOCAL safe_ddl.small_table_size = 0;
CREATE INDEX dfr_orders_region_idx ON dfr_orders (region);
DROP INDEX dfr_orders_region_idx;
SELECT state FROM safe_ddl.deferred_queue WHERE object_name = 'dfr_orders_region_idx';
ROLLBACK TO s;
SELECT object_name, state, last_error FROM safe_ddl.deferred_queue
 WHERE object_name = 'dfr_orders_total_idx';
SELECT count(*) AS real_left FROM pg_class WHERE relname = 'dfr_parent_real_idx';
-- DROP CONSTRAINT cancels its validation, DROP TABLE the rest
ALTER TABLE dfr_orders DROP CONSTRAINT dfr_orders_total_check;
DROP TABLE dfr_orders;
SELECT object_name, state, last_error FROM safe_ddl.deferred_queue ORDER BY id;
ROLLBACK;
-- all rolled back with the transaction
SELECT object_name, state FROM safe_ddl.deferred_queue ORDER BY id;

--
-- DBA controls
--
SELECT safe_ddl.deferred_pause(id) FROM safe_ddl.deferred_queue
 WHERE object_name = 'dfr_orders_total_idx';
-- a paused item is in the way as well
ALTER INDEX dfr_orders_total_idx SET (fillfactor = 50);
SELECT safe_ddl.deferred_pause(id) FROM safe_ddl.deferred_queue
 WHERE object_name = 'dfr_orders_total_idx';
SELECT safe_ddl.deferred_resume(id) FROM safe_ddl.deferred_queue
 WHERE object_name = 'dfr_orders_total_idx';
SELECT safe_ddl.deferred_retry(id) FROM safe_ddl.deferred_queue
 WHERE object_name = 'dfr_orders_total_idx';
SELECT safe_ddl.deferred_cancel(id) FROM safe_ddl.deferred_queue
 WHERE object_name = 'dfr_orders_total_idx';
-- a cancelled item is out of the way: its name can be used, and then the
-- item cannot be retried while the new one is pending
BEGIN;
CREATE INDEX dfr_orders_total_idx ON dfr_orders (total);
SELECT safe_ddl.deferred_retry(id) FROM safe_ddl.deferred_queue
 WHERE object_name = 'dfr_orders_total_idx' AND state = 'cancelled';
ROLLBACK;
SELECT safe_ddl.deferred_retry(id) FROM safe_ddl.deferred_queue
 WHERE object_name = 'dfr_orders_total_idx';
SELECT object_name, state, attempts, last_error FROM safe_ddl.deferred_queue
 WHERE object_name = 'dfr_orders_total_idx';
SELECT safe_ddl.deferred_cancel(-1);
-- only a superuser or the table's owner may steer an item
CREATE ROLE dfr_other_role;
SET ROLE dfr_other_role;
SELECT count(*) FROM safe_ddl.deferred;
SELECT count(*) FROM safe_ddl.deferred_queue;
SELECT safe_ddl.deferred_pause(min(id)) FROM safe_ddl.deferred;
RESET ROLE;
ALTER TABLE dfr_orders OWNER TO dfr_other_role;
SET ROLE dfr_other_role;
SELECT safe_ddl.deferred_pause(id) FROM safe_ddl.deferred
 WHERE object_name = 'dfr_orders_total_idx';
RESET ROLE;
ALTER TABLE dfr_orders OWNER TO CURRENT_USER;
DROP ROLE dfr_other_role;

-- clean up: DROP TABLE cancels what is left
DROP TABLE dfr_orders;
SELECT count(*) AS pending FROM safe_ddl.deferred_queue
 WHERE state IN ('queued', 'running', 'paused');
DROP TABLE dfr_parent;
DROP SCHEMA dfr_schema;
