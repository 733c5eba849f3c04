--
-- safe_ddl.check(): what each statement locks, rewrites and scans, without
-- executing it; and safe_ddl.rules, the catalogue of risks.
--
SET safe_ddl.mode = off;
CREATE SCHEMA ck;
SET search_path = ck, public;
CREATE TABLE ck.ref (id int PRIMARY KEY);
INSERT INTO ck.ref SELECT generate_series(1, 100);
CREATE TABLE ck.t (id int PRIMARY KEY, a int, c varchar(10), n numeric(10, 2),
				   ts timestamp, tz timestamptz, ref_id int REFERENCES ck.ref);
INSERT INTO ck.t SELECT g, g, 'x', g, now(), now(), g FROM generate_series(1, 100) g;
CREATE INDEX t_a_idx ON ck.t (a);
ALTER TABLE ck.t ADD CONSTRAINT t_a_nn CHECK (a IS NOT NULL);
-- no REPACK (CONCURRENTLY) for ck.t on 19 (sql/pg19.sql tests it there):
-- VACUUM FULL and CLUSTER below give the same rules on every version
ALTER TABLE ck.t REPLICA IDENTITY FULL;
CREATE TABLE ck.pt (id int, k int) PARTITION BY RANGE (k);
CREATE TABLE ck.pt_1 PARTITION OF ck.pt FOR VALUES FROM (0) TO (10);
CREATE TABLE ck.pt_2 PARTITION OF ck.pt FOR VALUES FROM (10) TO (20);
INSERT INTO ck.pt SELECT g, g FROM generate_series(0, 19) g;
CREATE MATERIALIZED VIEW ck.mv AS SELECT id FROM ck.t;
RESET safe_ddl.mode;

-- the rules catalogue
SELECT name, typical_lock, default_action FROM safe_ddl.rules ORDER BY name;

-- indexes
SELECT * FROM safe_ddl.check($$
CREATE INDEX ON ck.t (c);
CREATE INDEX CONCURRENTLY ON ck.t (c);
CREATE UNIQUE INDEX IF NOT EXISTS t_a_idx ON ck.t (a);
CREATE INDEX ON ck.pt (k);
DROP INDEX ck.t_a_idx;
DROP INDEX CONCURRENTLY ck.t_a_idx;
REINDEX INDEX ck.t_a_idx;
REINDEX TABLE CONCURRENTLY ck.t;
$$);

-- ADD COLUMN: constant defaults are free, volatile ones rewrite
SELECT statement_no, relation, lock_mode, rewrites_table, scans_table, rule
  FROM safe_ddl.check($$
ALTER TABLE ck.t ADD COLUMN x int;
ALTER TABLE ck.t ADD COLUMN x int NOT NULL DEFAULT 0;
ALTER TABLE ck.t ADD COLUMN x timestamptz DEFAULT now();
ALTER TABLE ck.t ADD COLUMN x uuid DEFAULT gen_random_uuid();
ALTER TABLE ck.t ADD COLUMN x bigserial;
ALTER TABLE ck.t ADD COLUMN x int GENERATED ALWAYS AS (a + 1) STORED;
ALTER TABLE ck.t ADD COLUMN x int NOT NULL;
ALTER TABLE ck.t ADD COLUMN x int REFERENCES ck.ref;
ALTER TABLE ck.t ADD COLUMN x int DEFAULT 1 CHECK (x > 0);
$$);

-- ALTER COLUMN TYPE: exact rewrite prediction
SELECT statement_no, relation, lock_mode, rewrites_table, scans_table, rule
  FROM safe_ddl.check($$
ALTER TABLE ck.t ALTER COLUMN c TYPE varchar(20);
ALTER TABLE ck.t ALTER COLUMN c TYPE varchar(5);
ALTER TABLE ck.t ALTER COLUMN c TYPE text;
ALTER TABLE ck.t ALTER COLUMN n TYPE numeric(12, 2);
ALTER TABLE ck.t ALTER COLUMN n TYPE numeric(12, 4);
ALTER TABLE ck.t ALTER COLUMN a TYPE bigint;
ALTER TABLE ck.t ALTER COLUMN a TYPE int USING a + 0;
ALTER TABLE ck.t ALTER COLUMN ref_id TYPE bigint;
$$);

-- timestamp <-> timestamptz is free only when the session time zone is UTC
SET TimeZone = 'UTC';
SELECT statement_no, rewrites_table, rule
  FROM safe_ddl.check('ALTER TABLE ck.t ALTER COLUMN ts TYPE timestamptz');
SET TimeZone = 'Europe/Paris';
SELECT statement_no, rewrites_table, rule
  FROM safe_ddl.check('ALTER TABLE ck.t ALTER COLUMN ts TYPE timestamptz');
RESET TimeZone;

-- NOT NULL and constraints
SELECT statement_no, relation, lock_mode, rewrites_table, scans_table, rule
  FROM safe_ddl.check($$
ALTER TABLE ck.t ALTER COLUMN a SET NOT NULL;
ALTER TABLE ck.t ALTER COLUMN c SET NOT NULL;
ALTER TABLE ck.t ADD CONSTRAINT c1 CHECK (a > 0);
ALTER TABLE ck.t ADD CONSTRAINT c1 CHECK (a > 0) NOT VALID;
ALTER TABLE ck.t ADD CONSTRAINT f1 FOREIGN KEY (a) REFERENCES ck.ref;
ALTER TABLE ck.t ADD CONSTRAINT f1 FOREIGN KEY (a) REFERENCES ck.ref NOT VALID;
ALTER TABLE ck.t ADD CONSTRAINT u1 UNIQUE (c);
ALTER TABLE ck.t ADD CONSTRAINT u1 UNIQUE USING INDEX t_a_idx;
ALTER TABLE ck.t VALIDATE CONSTRAINT t_a_nn;
$$);

-- whole-table operations, partitions, renames (later statements know a
-- renamed table by its new name only)
SELECT statement_no, command, relation, lock_mode, rewrites_table, scans_table, rule
  FROM safe_ddl.check($$
VACUUM FULL ck.t;
VACUUM ck.t;
CLUSTER ck.t USING t_a_idx;
REFRESH MATERIALIZED VIEW ck.mv;
REFRESH MATERIALIZED VIEW CONCURRENTLY ck.mv;
ALTER TABLE ck.pt DETACH PARTITION ck.pt_2;
ALTER TABLE ck.pt DETACH PARTITION ck.pt_2 CONCURRENTLY;
ALTER TABLE ck.t RENAME TO t2;
ALTER TABLE ck.t2 RENAME COLUMN c TO c2;
ALTER TABLE ck.t2 SET UNLOGGED;
TRUNCATE ck.ref CASCADE;
$$);

-- ATTACH PARTITION scans the partition unless its constraints prove the bound
SET safe_ddl.mode = off;
CREATE TABLE ck.lp (k int, v text) PARTITION BY LIST (k);
CREATE TABLE ck.lp_proved (k int NOT NULL CHECK (k IN (1, 2)), v text);
CREATE TABLE ck.lp_plain (k int, v text);
RESET safe_ddl.mode;
SELECT statement_no, relation, lock_mode, scans_table, rule
  FROM safe_ddl.check($$
ALTER TABLE ck.lp ATTACH PARTITION ck.lp_proved FOR VALUES IN (1, 2);
ALTER TABLE ck.lp ATTACH PARTITION ck.lp_plain FOR VALUES IN (1, 2);
$$);

-- multi-subcommand ALTER TABLE: the strongest lock, all the risks
SELECT statement_no, relation, lock_mode, rewrites_table, scans_table
  FROM safe_ddl.check('ALTER TABLE ck.t ALTER COLUMN c TYPE text, ADD COLUMN y int, ALTER COLUMN a SET STATISTICS 100');
SELECT statement_no, relation, rules
  FROM safe_ddl.analysis_facts('ALTER TABLE ck.t ADD COLUMN y float8 DEFAULT random(), ADD CONSTRAINT c9 CHECK (a > 0)');

-- new tables: created earlier in the same input, or in this transaction
SELECT statement_no, command, relation, lock_mode, rule
  FROM safe_ddl.check($$
CREATE TABLE ck.fresh (id int, v int);
CREATE INDEX ON ck.fresh (v);
ALTER TABLE ck.fresh ADD COLUMN w float8 DEFAULT random();
ALTER TABLE ck.fresh ADD CONSTRAINT fresh_fk FOREIGN KEY (v) REFERENCES ck.ref;
$$);
BEGIN;
CREATE TABLE ck.fresh (id int, v int);
SELECT statement_no, relation, lock_mode, rule
  FROM safe_ddl.check('CREATE INDEX ON ck.fresh (v)');
SELECT statement_no, relation, is_new, held_mode, bytes
  FROM safe_ddl.analysis_facts('CREATE INDEX ON ck.fresh (v)');
ROLLBACK;

-- locks this transaction already holds: a scan under ACCESS EXCLUSIVE
BEGIN;
LOCK TABLE ck.t IN ACCESS EXCLUSIVE MODE;
SELECT statement_no, relation, lock_mode, scans_table, rule
  FROM safe_ddl.check('ALTER TABLE ck.t ADD CONSTRAINT c1 CHECK (a > 0)');
SELECT statement_no, relation, is_new, held_mode, rules
  FROM safe_ddl.analysis_facts('ALTER TABLE ck.t ADD CONSTRAINT c1 CHECK (a > 0)');
ROLLBACK;

-- facts: sizes come from storage (not statistics); partitioned = sum of leaves
SELECT relation, relkind, is_new, held_mode, bytes > 0 AS has_bytes,
	   bytes = (SELECT sum(pg_relation_size(c)) FROM unnest(ARRAY['ck.pt_1'::regclass, 'ck.pt_2'::regclass]) c) AS sum_of_leaves
  FROM safe_ddl.analysis_facts('CREATE INDEX ON ck.pt (id)')
 ORDER BY relation;
SELECT relation, bytes = pg_relation_size('ck.t') AS exact_size
  FROM safe_ddl.analysis_facts('VACUUM FULL ck.t');

-- missing relations are skipped (the statement itself will fail)
SELECT * FROM safe_ddl.check('ALTER TABLE ck.nope ADD COLUMN x int; DROP TABLE IF EXISTS ck.nope');

-- statements the analysis does not know are flagged, never guessed
SELECT statement_no, command, relation, lock_mode, message
  FROM safe_ddl.check($$
SELECT 1;
DO $do$ BEGIN END $do$;
REASSIGN OWNED BY CURRENT_USER TO CURRENT_USER;
SET work_mem = '64MB';
CREATE FUNCTION ck.f() RETURNS int LANGUAGE sql AS 'SELECT 1';
$$);

-- malformed SQL gives the usual syntax error
SELECT * FROM safe_ddl.check('ALTER TABLE ck.t ADD COLUM x int');

-- a migration tool's output (manage.py sqlmigrate, alembic upgrade --sql):
-- statements between BEGIN and COMMIT are judged as in a transaction block,
-- and the comment lines printed before a statement stay out of its hint
SET safe_ddl.small_table_size = 0;
SELECT statement_no, command, relation, action, rule,
       hint IS NOT NULL AND position('--' IN hint) = 0 AS hint_without_comments
  FROM safe_ddl.check($$BEGIN;
--
-- Create index t_x on field(s) id of model t
--
CREATE INDEX t_x ON ck.t (id);
COMMIT;
CREATE INDEX t_y ON ck.t (id);
$$)
 ORDER BY statement_no, relation;

-- a table renamed earlier in the input: later statements find it by its new
-- name (the old one is gone), and messages use the new name
SELECT statement_no, command, relation, action, rule,
       message LIKE '%"t9"%' AS message_new_name
  FROM safe_ddl.check($$BEGIN;
ALTER TABLE ck.t RENAME TO t9;
ALTER TABLE ck.t9 ALTER COLUMN a SET NOT NULL;
COMMIT;
CREATE INDEX t9_c ON ck.t9 (c);
ALTER TABLE ck.t9 ALTER COLUMN c TYPE int;
ALTER TABLE ck.t ADD COLUMN x int;
$$)
 ORDER BY statement_no, relation;

-- the data changes of a migration: ROW EXCLUSIVE on the target, what they
-- read (the whole target unless an index finds the rows), and the other
-- side of its foreign keys (Django's backfill before SET NOT NULL, a data
-- migration's DELETE and INSERT ... SELECT)
SELECT statement_no, command, relation, lock_mode, rewrites_table, scans_table, rule
  FROM safe_ddl.check($$
UPDATE ck.t SET c = '' WHERE c IS NULL;
ALTER TABLE ck.t ALTER COLUMN c SET NOT NULL;
UPDATE ck.t SET c = 'y' WHERE id = 3;
UPDATE ck.t SET a = 0 WHERE a IS NULL;
DELETE FROM ck.ref WHERE id > 50;
INSERT INTO ck.t (id, ref_id) SELECT id + 1000, id FROM ck.ref;
$$)
 ORDER BY statement_no, relation;
RESET safe_ddl.small_table_size;

-- check() is pure: nothing above changed the catalog
SELECT count(*) AS columns FROM pg_attribute WHERE attrelid = 'ck.t'::regclass AND attnum > 0;
SELECT count(*) AS indexes FROM pg_index WHERE indrelid = 'ck.t'::regclass;

SET safe_ddl.mode = off;
DROP SCHEMA ck CASCADE;
