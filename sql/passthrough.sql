--
-- Statements the hook receives but that must behave exactly as without it.
--
SET client_min_messages = warning;

-- ordinary utility statements
BEGIN;
SET LOCAL work_mem = '8MB';
SHOW work_mem;
COMMIT;
SHOW work_mem;

-- DDL on a fresh table behaves as usual in every mode
CREATE TABLE pt (id int PRIMARY KEY, v text);
INSERT INTO pt SELECT g, g::text FROM generate_series(1, 10) g;
CREATE INDEX pt_v_idx ON pt (v);
ALTER TABLE pt ADD COLUMN note text;
ALTER TABLE pt RENAME COLUMN note TO remark;
SET safe_ddl.mode = observe;
ALTER TABLE pt ALTER COLUMN remark SET DEFAULT 'x';
SET safe_ddl.mode = off;
ALTER TABLE pt ALTER COLUMN remark DROP DEFAULT;
RESET safe_ddl.mode;
\d pt

-- several statements in one query string, as Django sends them
CREATE TABLE ptc (id int PRIMARY KEY, pt_id int);
ALTER TABLE ptc ADD CONSTRAINT ptc_fk FOREIGN KEY (pt_id) REFERENCES pt (id) DEFERRABLE INITIALLY DEFERRED\; SET CONSTRAINTS ptc_fk IMMEDIATE;
SET CONSTRAINTS ptc_fk IMMEDIATE\; ALTER TABLE ptc DROP CONSTRAINT ptc_fk;
-- (NOT NULL constraints, pg_constraint rows from PostgreSQL 18 on, left out)
SELECT conname FROM pg_constraint WHERE conrelid = 'ptc'::regclass AND contype <> 'n' ORDER BY 1;

-- DDL from inside a function
DO $$
BEGIN
    EXECUTE 'ALTER TABLE pt ADD COLUMN from_do int';
END
$$;
SELECT attname FROM pg_attribute WHERE attrelid = 'pt'::regclass AND attnum > 0 ORDER BY attnum;

-- a statement that fails still fails the same way
ALTER TABLE no_such_table ADD COLUMN x int;
ALTER TABLE pt ADD COLUMN id int;

-- CONCURRENTLY forms still refuse transaction blocks with the usual error
BEGIN;
CREATE INDEX CONCURRENTLY pt_remark_idx ON pt (remark);
ROLLBACK;
CREATE INDEX CONCURRENTLY pt_remark_idx ON pt (remark);
DROP INDEX CONCURRENTLY pt_remark_idx;

DROP TABLE ptc, pt;
