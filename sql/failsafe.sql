--
-- safe_ddl must never hurt the server it guards: statements the server
-- itself refuses get the server's own error, through the hook and through
-- safe_ddl.check(), in every mode.
--

-- ATTACH PARTITION to a table that is not partitioned (this crashed the
-- server: the analysis assumed a partition key)
CREATE TABLE fs_np (a int);
CREATE TABLE fs_np_part (a int);
ALTER TABLE fs_np ATTACH PARTITION fs_np_part FOR VALUES IN (1);
SET safe_ddl.mode = observe;
ALTER TABLE fs_np ATTACH PARTITION fs_np_part FOR VALUES IN (1);
SET safe_ddl.small_table_size = 0;
ALTER TABLE fs_np ATTACH PARTITION fs_np_part FOR VALUES FROM (1) TO (2);
RESET safe_ddl.small_table_size;
RESET safe_ddl.mode;
SELECT * FROM safe_ddl.check('ALTER TABLE fs_np ATTACH PARTITION fs_np_part FOR VALUES FROM (1) TO (2)');
-- the server is still up, and the plain table is untouched
SELECT relkind, relispartition FROM pg_class WHERE relname = 'fs_np_part';
DROP TABLE fs_np, fs_np_part;

-- Statements that cannot run inside a transaction block are never wrapped
-- in the lock-wait subtransaction: REINDEX of a (small) partitioned table
-- or index and REINDEX SCHEMA run in autocommit exactly as without
-- safe_ddl (they failed with "cannot run inside a transaction block").
CREATE SCHEMA fs_rs;
CREATE TABLE fs_rs.parted (a int) PARTITION BY RANGE (a);
CREATE TABLE fs_rs.parted_1 PARTITION OF fs_rs.parted FOR VALUES FROM (1) TO (10);
CREATE INDEX fs_rs_parted_a ON fs_rs.parted (a);
SHOW safe_ddl.mode;
REINDEX TABLE fs_rs.parted;
REINDEX INDEX fs_rs.fs_rs_parted_a;
REINDEX SCHEMA fs_rs;
SET safe_ddl.mode = off;
REINDEX TABLE fs_rs.parted;
REINDEX SCHEMA fs_rs;
RESET safe_ddl.mode;
-- in a transaction block, the server's own refusal, as without safe_ddl
BEGIN;
REINDEX TABLE fs_rs.parted;
ROLLBACK;
DROP SCHEMA fs_rs CASCADE;

-- Errors inside safe_ddl's own analysis never replace the server's: the
-- statement reaches PostgreSQL unchanged and the user gets its error, with
-- its error position.  With small_table_size = 0 every table counts as big,
-- so the analysis runs on all of them (it said "could not convert row
-- type" for the first two ATTACHes below, and lost the LINE/caret of the
-- FROM ... TO one).
SET safe_ddl.mode = observe;
SET safe_ddl.small_table_size = 0;
CREATE TABLE fs_lp (a int, b text) PARTITION BY LIST (a);
CREATE TABLE fs_lp_missing (a int);
ALTER TABLE fs_lp ATTACH PARTITION fs_lp_missing FOR VALUES IN (1);
CREATE TABLE fs_lp_type (a int, b int);
ALTER TABLE fs_lp ATTACH PARTITION fs_lp_type FOR VALUES IN (1);
CREATE TYPE fs_row AS (a int, b text);
CREATE TABLE fs_lp_typed OF fs_row;
ALTER TABLE fs_lp ATTACH PARTITION fs_lp_typed FOR VALUES IN (1);
CREATE TABLE fs_lp_ok (a int, b text);
ALTER TABLE fs_lp ATTACH PARTITION fs_lp_ok FOR VALUES FROM (1) TO (10);
-- the same in enforce mode
SET safe_ddl.mode = enforce;
ALTER TABLE fs_lp ATTACH PARTITION fs_lp_missing FOR VALUES IN (1);
ALTER TABLE fs_lp ATTACH PARTITION fs_lp_ok FOR VALUES FROM (1) TO (10);
-- it was reported as "reindexing table ... would block writes"
REINDEX SCHEMA fs_no_such_schema;
-- a statement the server accepts still runs (and is still judged)
RESET safe_ddl.small_table_size;
ALTER TABLE fs_lp ATTACH PARTITION fs_lp_ok FOR VALUES IN (1);
SELECT relispartition FROM pg_class WHERE relname = 'fs_lp_ok';
RESET safe_ddl.mode;
DROP TABLE fs_lp, fs_lp_missing, fs_lp_type, fs_lp_typed;
DROP TYPE fs_row;

-- DDL that a function runs while safe_ddl executes a rewrite step of its
-- own is judged like any other statement (it ran unchecked: the "safe_ddl
-- is running this itself" flag covered everything below the step).  Here
-- the VALIDATE step of a rewritten ADD CHECK evaluates a function that
-- changes a column's type on another table, which enforce refuses from a
-- function; the rewrite then fails with that refusal and leaves nothing.
SET safe_ddl.small_table_size = 0;
CREATE TABLE fs_nest (a int);
INSERT INTO fs_nest VALUES (1);
CREATE TABLE fs_other (b int);
INSERT INTO fs_other VALUES (1);
CREATE FUNCTION fs_sneaky(int) RETURNS bool LANGUAGE plpgsql AS $$
BEGIN
  ALTER TABLE fs_other ALTER COLUMN b TYPE bigint;
  RETURN true;
END $$;
\set VERBOSITY terse
ALTER TABLE fs_nest ADD CONSTRAINT fs_nest_check CHECK (fs_sneaky(a));
\set VERBOSITY default
SELECT atttypid::regtype FROM pg_attribute
 WHERE attrelid = 'fs_other'::regclass AND attname = 'b';
SELECT conname FROM pg_constraint WHERE conrelid = 'fs_nest'::regclass;
RESET safe_ddl.small_table_size;
DROP TABLE fs_nest, fs_other;
DROP FUNCTION fs_sneaky(int);

-- REINDEX CONCURRENTLY cannot rebuild the index of an exclusion constraint
-- (REINDEX INDEX ... CONCURRENTLY fails, REINDEX TABLE ... CONCURRENTLY
-- skips it with a warning), so it is not rewritten to that: refused in
-- enforce mode, as a statement without an online form.
SET safe_ddl.small_table_size = 0;
CREATE TABLE fs_ex (r int4range, EXCLUDE USING gist (r WITH &&));
INSERT INTO fs_ex VALUES ('[1,2)'), ('[3,4)');
\set VERBOSITY terse
REINDEX INDEX fs_ex_r_excl;
REINDEX TABLE fs_ex;
\set VERBOSITY default
RESET safe_ddl.small_table_size;
DROP TABLE fs_ex;

-- ADD UNIQUE rewritten to CREATE UNIQUE INDEX CONCURRENTLY + USING INDEX,
-- with a constraint name the table already has: PostgreSQL's own error
-- (it was a raw duplicate key on pg_constraint's unique index, after the
-- index build), and no index left behind.
SET safe_ddl.small_table_size = 0;
CREATE TABLE fs_u (a int CONSTRAINT fs_u_dup CHECK (a > 0));
INSERT INTO fs_u VALUES (1), (2);
\set VERBOSITY terse
ALTER TABLE fs_u ADD CONSTRAINT fs_u_dup UNIQUE (a);
\set VERBOSITY default
SELECT indexrelid::regclass FROM pg_index WHERE indrelid = 'fs_u'::regclass;
SET safe_ddl.mode = off;
\set VERBOSITY terse
ALTER TABLE fs_u ADD CONSTRAINT fs_u_dup UNIQUE (a);
\set VERBOSITY default
RESET safe_ddl.mode;
RESET safe_ddl.small_table_size;
DROP TABLE fs_u;
