--
-- What PostgreSQL 19 added: REPACK, of which CLUSTER and VACUUM FULL are
-- now other spellings, and REPACK (CONCURRENTLY), which rewrites one table
-- while reads and writes go on.  On a big table that REPACK (CONCURRENTLY)
-- can take (a permanent table with a primary key or a replica identity
-- index), VACUUM FULL, CLUSTER and REPACK fall under rule
-- require-concurrent-repack: run as REPACK (CONCURRENTLY) in autocommit,
-- refused in a transaction block.  Other tables keep the rules of 15 to
-- 18.  The syntax does not exist before 19: there the test stops after the
-- version check (expected/pg19_1.out).
--
SELECT current_setting('server_version_num')::int >= 190000 AS pg19 \gset
\if :pg19
\else
\quit
\endif

SET safe_ddl.mode = off;
CREATE SCHEMA p19;
CREATE TABLE p19.big (id int PRIMARY KEY, a int);
INSERT INTO p19.big SELECT g, g % 100 FROM generate_series(1, 10000) g;
CREATE INDEX big_a_idx ON p19.big (a);
CREATE TABLE p19.nokey (id int, a int);
INSERT INTO p19.nokey SELECT g, g FROM generate_series(1, 10000) g;
CREATE INDEX nokey_a_idx ON p19.nokey (a);
CREATE TABLE p19.deferred (id int PRIMARY KEY DEFERRABLE);
INSERT INTO p19.deferred SELECT generate_series(1, 10000);
CREATE TABLE p19.ident (id int NOT NULL, a int);
INSERT INTO p19.ident SELECT g, g FROM generate_series(1, 10000) g;
CREATE UNIQUE INDEX ident_id ON p19.ident (id);
ALTER TABLE p19.ident REPLICA IDENTITY USING INDEX ident_id;
CREATE TABLE p19.full_ident (id int PRIMARY KEY);
INSERT INTO p19.full_ident SELECT generate_series(1, 10000);
ALTER TABLE p19.full_ident REPLICA IDENTITY FULL;
CREATE UNLOGGED TABLE p19.unlogged (id int PRIMARY KEY);
INSERT INTO p19.unlogged SELECT generate_series(1, 10000);
CREATE TABLE p19.parent (id int PRIMARY KEY);
INSERT INTO p19.parent SELECT generate_series(1, 10000);
CREATE TABLE p19.child () INHERITS (p19.parent);
ANALYZE p19.big, p19.nokey, p19.deferred, p19.ident, p19.full_ident,
	p19.unlogged, p19.parent;
RESET safe_ddl.mode;
SET safe_ddl.small_table_size = 0;

-- the analysis: the online form where the table allows it, the rules of
-- 15 to 18 elsewhere; REPACK (CONCURRENTLY) itself is the safe form
SELECT statement_no, relation, lock_mode, rewrites_table, scans_table, rule
  FROM safe_ddl.check($$
VACUUM FULL p19.big;
CLUSTER p19.big USING big_a_idx;
REPACK p19.big;
REPACK p19.big USING INDEX big_a_idx;
REPACK (CONCURRENTLY) p19.big;
VACUUM FULL p19.ident;
VACUUM FULL p19.nokey;
CLUSTER p19.nokey USING nokey_a_idx;
REPACK p19.nokey;
VACUUM FULL p19.deferred;
VACUUM FULL p19.full_ident;
VACUUM FULL p19.unlogged;
VACUUM FULL p19.parent;
VACUUM (FULL, FREEZE) p19.big;
$$);

-- the SQL to run instead (the hint's second line in a transaction
-- block): VERBOSE and ANALYZE kept, CLUSTER's order too
SELECT statement_no, action, split_part(hint, E'\n', 2) AS instead
  FROM safe_ddl.check($$
BEGIN;
VACUUM (FULL, VERBOSE, ANALYZE) p19.big;
CLUSTER p19.big USING big_a_idx;
CLUSTER p19.big;
REPACK (VERBOSE) p19.big;
REPACK p19.big USING INDEX;
COMMIT;
$$) WHERE rule IS NOT NULL;

-- in a transaction block: refused, with the SQL to run outside one
BEGIN;
CLUSTER p19.big USING big_a_idx;
ROLLBACK;

-- autocommit: run as REPACK (CONCURRENTLY), a new relfilenode; the
-- statement keeps its own command tag
CREATE TEMP TABLE p19_before AS
  SELECT relfilenode FROM pg_class WHERE oid = 'p19.big'::regclass;
VACUUM FULL p19.big;
SELECT c.relfilenode <> b.relfilenode AS rewritten, count(*) AS rows
  FROM pg_class c, p19_before b, p19.big
 WHERE c.oid = 'p19.big'::regclass GROUP BY 1;
CLUSTER p19.big USING big_a_idx;
SELECT indexrelid::regclass, indisclustered FROM pg_index
 WHERE indrelid = 'p19.big'::regclass ORDER BY 1;

-- the index the table is ordered by is locked with it: SHARE UPDATE
-- EXCLUSIVE under CONCURRENTLY, as the table; ACCESS EXCLUSIVE otherwise.
-- USING INDEX without a name, and CLUSTER without one, take the clustered
-- index (big_a_idx, since the CLUSTER above); REPACK without USING INDEX
-- orders by none
SELECT statement_no, relation, lock_mode
  FROM safe_ddl.check($$
REPACK (CONCURRENTLY) p19.big USING INDEX big_a_idx;
REPACK (CONCURRENTLY) p19.big USING INDEX;
REPACK (CONCURRENTLY) p19.big;
REPACK p19.big USING INDEX;
CLUSTER p19.big;
REPACK p19.big;
$$);

-- no online form for these: refused as before 19
VACUUM FULL p19.nokey;
REPACK p19.nokey;

-- ALTER CONSTRAINT ... ENFORCED of a CHECK constraint (19; 18 has it for
-- foreign keys only) validates it under ACCESS EXCLUSIVE: refused on a big
-- table in a transaction block, and in autocommit (no NOT VALID form)
SET safe_ddl.mode = off;
ALTER TABLE p19.nokey ADD CONSTRAINT nokey_a_pos CHECK (a > 0) NOT ENFORCED;
RESET safe_ddl.mode;
SELECT statement_no, relation, lock_mode, scans_table, rule
  FROM safe_ddl.check($$
ALTER TABLE p19.nokey ALTER CONSTRAINT nokey_a_pos ENFORCED;
ALTER TABLE p19.nokey ALTER CONSTRAINT nokey_a_pos NOT ENFORCED;
$$);
ALTER TABLE p19.nokey ALTER CONSTRAINT nokey_a_pos ENFORCED;
SELECT conenforced, convalidated FROM pg_constraint WHERE conname = 'nokey_a_pos';

RESET safe_ddl.small_table_size;
SET safe_ddl.mode = off;
DROP SCHEMA p19 CASCADE;
RESET safe_ddl.mode;
