--
-- Enforcement of the constraint rules: constraint-missing-not-valid,
-- adding-not-nullable-field, disallowed-unique-constraint.
--
CREATE TABLE enf_customers (id int PRIMARY KEY);
INSERT INTO enf_customers SELECT generate_series(0, 99);
CREATE TABLE enf_items (id int, total int, region text, customer_id int);
INSERT INTO enf_items SELECT g, g % 100, 'eu', g % 100 FROM generate_series(1, 10000) g;
ANALYZE enf_items;
SET safe_ddl.small_table_size = 0;
-- serial index builds: deterministic duplicate-key errors
SET max_parallel_maintenance_workers = 0;

-- (NOT NULL constraints, pg_constraint rows from PostgreSQL 18 on, left out)
CREATE VIEW enf_constraints AS
  SELECT conname, contype, convalidated FROM pg_constraint
   WHERE conrelid = 'enf_items'::regclass AND contype <> 'n' ORDER BY conname;
CREATE VIEW enf_indexes AS
  SELECT indexrelid::regclass AS index, indisvalid, indisprimary
    FROM pg_index WHERE indrelid = 'enf_items'::regclass ORDER BY 1;

-- new table: allowed as is
BEGIN;
CREATE TABLE enf_items_new (id int, total int);
INSERT INTO enf_items_new SELECT g, g FROM generate_series(1, 10000) g;
ALTER TABLE enf_items_new ADD CONSTRAINT enf_new_total_check CHECK (total > 0);
ALTER TABLE enf_items_new ALTER COLUMN id SET NOT NULL;
ALTER TABLE enf_items_new ADD CONSTRAINT enf_new_pkey PRIMARY KEY (id);
ROLLBACK;

-- CHECK: rejected in a transaction block
BEGIN;
ALTER TABLE enf_items ADD CONSTRAINT enf_items_total_check CHECK (total >= 0);
ROLLBACK;
-- rewritten in autocommit: NOT VALID, commit, VALIDATE
ALTER TABLE enf_items ADD CONSTRAINT enf_items_total_check CHECK (total >= 0);
SELECT * FROM enf_constraints;
-- a violated CHECK: the original error, and no NOT VALID constraint left
ALTER TABLE enf_items ADD CONSTRAINT enf_items_total_small CHECK (total < 50);
SELECT * FROM enf_constraints;
-- cancelled during VALIDATE (statement_timeout here, pg_cancel_backend
-- alike): the cancel reaches the user, and no NOT VALID constraint is left
CREATE FUNCTION enf_slow(int) RETURNS bool VOLATILE LANGUAGE plpgsql
  AS $$ BEGIN PERFORM pg_sleep(0.001); RETURN true; END $$;
SET statement_timeout = '300ms';
\set VERBOSITY terse
ALTER TABLE enf_items ADD CONSTRAINT enf_items_slow CHECK (enf_slow(total));
\set VERBOSITY default
RESET statement_timeout;
SELECT * FROM enf_constraints;
DROP FUNCTION enf_slow(int);
-- already NOT VALID: nothing to do
ALTER TABLE enf_items ADD CONSTRAINT enf_items_total_nv CHECK (total < 50) NOT VALID;
ALTER TABLE enf_items DROP CONSTRAINT enf_items_total_nv;

-- FOREIGN KEY: rejected in a block, rewritten in autocommit
BEGIN;
ALTER TABLE enf_items ADD CONSTRAINT enf_items_customer_fk
  FOREIGN KEY (customer_id) REFERENCES enf_customers (id) DEFERRABLE INITIALLY DEFERRED;
ROLLBACK;
ALTER TABLE enf_items ADD CONSTRAINT enf_items_customer_fk
  FOREIGN KEY (customer_id) REFERENCES enf_customers (id) DEFERRABLE INITIALLY DEFERRED;
SELECT * FROM enf_constraints;
-- a violated FOREIGN KEY: the original error, nothing left behind
ALTER TABLE enf_items ADD CONSTRAINT enf_items_id_fk
  FOREIGN KEY (id) REFERENCES enf_customers (id);
SELECT * FROM enf_constraints;

-- SET NOT NULL: rejected in a block
BEGIN;
ALTER TABLE enf_items ALTER COLUMN region SET NOT NULL;
ROLLBACK;
-- rewritten in autocommit through a validated CHECK, which is dropped after
ALTER TABLE enf_items ALTER COLUMN region SET NOT NULL;
SELECT attname, attnotnull FROM pg_attribute
 WHERE attrelid = 'enf_items'::regclass AND attname = 'region';
SELECT * FROM enf_constraints;
-- a column with nulls: SET NOT NULL's own error, no helper CHECK left
UPDATE enf_items SET total = NULL WHERE id = 7;
ALTER TABLE enf_items ALTER COLUMN total SET NOT NULL;
SELECT * FROM enf_constraints;
UPDATE enf_items SET total = 7 WHERE id = 7;

-- UNIQUE: rejected in a block, rewritten in autocommit
BEGIN;
ALTER TABLE enf_items ADD CONSTRAINT enf_items_id_key UNIQUE (id);
ROLLBACK;
ALTER TABLE enf_items ADD CONSTRAINT enf_items_id_key UNIQUE (id);
SELECT * FROM enf_constraints;
SELECT * FROM enf_indexes;
-- duplicates: the original error, no INVALID index left
ALTER TABLE enf_items ADD CONSTRAINT enf_items_total_key UNIQUE (total);
SELECT * FROM enf_indexes;

-- PRIMARY KEY on a nullable column: no safe rewrite, rejected with advice
ALTER TABLE enf_items ADD CONSTRAINT enf_items_pkey PRIMARY KEY (id);
-- once the column is NOT NULL (rewritten safely), rewritten
ALTER TABLE enf_items ALTER COLUMN id SET NOT NULL;
ALTER TABLE enf_items ADD CONSTRAINT enf_items_pkey PRIMARY KEY (id);
SELECT * FROM enf_constraints;
SELECT * FROM enf_indexes;

-- several subcommands in one statement: no rewrite, rejected
ALTER TABLE enf_items ADD CONSTRAINT enf_items_a CHECK (total >= 0),
  ADD CONSTRAINT enf_items_b CHECK (total < 1000);

RESET safe_ddl.small_table_size;
DROP VIEW enf_constraints, enf_indexes;
DROP TABLE enf_items, enf_customers;
