--
-- What PostgreSQL 17 added: ALTER COLUMN ... SET EXPRESSION recomputes a
-- stored generated column, a rewrite under ACCESS EXCLUSIVE.  The syntax
-- does not exist before 17: there the test stops after the version check
-- (expected/pg17_1.out).
--
SELECT current_setting('server_version_num')::int >= 170000 AS pg17 \gset
\if :pg17
\else
\quit
\endif

SET safe_ddl.mode = off;
CREATE SCHEMA p17;
CREATE TABLE p17.t (id int, a int, g int GENERATED ALWAYS AS (a * 2) STORED);
INSERT INTO p17.t (id, a) SELECT g, g FROM generate_series(1, 10000) g;
CREATE TABLE p17.child (extra int) INHERITS (p17.t);
ANALYZE p17.t;
RESET safe_ddl.mode;
SET safe_ddl.small_table_size = 0;

-- the analysis: a rewrite of the table and of the inheritor that has it
SELECT statement_no, relation, lock_mode, rewrites_table, scans_table, rule
  FROM safe_ddl.check($$
ALTER TABLE p17.t ALTER COLUMN g SET EXPRESSION AS (a * 3);
ALTER TABLE ONLY p17.t ALTER COLUMN g SET EXPRESSION AS (a * 3);
$$);

-- the server agrees: the table gets a new relfilenode
SET safe_ddl.mode = off;
CREATE TEMP TABLE p17_before AS
  SELECT relfilenode FROM pg_class WHERE oid = 'p17.t'::regclass;
ALTER TABLE p17.t ALTER COLUMN g SET EXPRESSION AS (a * 3);
SELECT c.relfilenode <> b.relfilenode AS rewritten
  FROM pg_class c, p17_before b WHERE c.oid = 'p17.t'::regclass;
RESET safe_ddl.mode;

-- enforced: refused in a transaction block on a big table
BEGIN;
ALTER TABLE p17.t ALTER COLUMN g SET EXPRESSION AS (a * 4);
ROLLBACK;
SELECT g FROM p17.t WHERE id = 10;

-- SET ACCESS METHOD DEFAULT (17): a rewrite only when the table's method
-- is not the default one (here it is: catalog-only); on a partitioned
-- table (17) it sets the method its new partitions get, catalog-only too
SET safe_ddl.mode = off;
CREATE TABLE p17.pt (id int) PARTITION BY RANGE (id);
CREATE TABLE p17.pt_1 PARTITION OF p17.pt FOR VALUES FROM (0) TO (100000);
INSERT INTO p17.pt SELECT generate_series(1, 10000);
RESET safe_ddl.mode;
SELECT statement_no, relation, lock_mode, rewrites_table, scans_table, rule
  FROM safe_ddl.check($$
ALTER TABLE p17.t SET ACCESS METHOD DEFAULT;
ALTER TABLE p17.pt SET ACCESS METHOD heap;
ALTER TABLE p17.pt SET ACCESS METHOD DEFAULT;
$$);

RESET safe_ddl.small_table_size;
SET safe_ddl.mode = off;
DROP SCHEMA p17 CASCADE;
RESET safe_ddl.mode;
