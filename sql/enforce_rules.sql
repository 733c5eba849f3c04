--
-- Enforcement of the rules without a safe rewrite: each is allowed on a
-- small table and on a table created in the same transaction, and refused
-- (or warned about) on a big pre-existing one, with the exact text.
--
CREATE TABLE enf_r (id int NOT NULL, total int, note text);
INSERT INTO enf_r SELECT g, g % 100, 'x' FROM generate_series(1, 10000) g;
CREATE INDEX enf_r_id_idx ON enf_r (id);
ANALYZE enf_r;

-- small (the default threshold is 10MB): allowed, rolled back
BEGIN;
ALTER TABLE enf_r ALTER COLUMN total TYPE bigint;
ALTER TABLE enf_r ADD COLUMN r1 float8 DEFAULT random();
ALTER TABLE enf_r ADD COLUMN r2 int GENERATED ALWAYS AS (total * 2) STORED;
ALTER TABLE enf_r SET UNLOGGED;
CLUSTER enf_r USING enf_r_id_idx;
ALTER TABLE enf_r RENAME COLUMN note TO remark;
ROLLBACK;

-- created in this transaction: allowed, whatever its size
SET safe_ddl.small_table_size = 0;
BEGIN;
CREATE TABLE enf_r_new (id int, total int);
INSERT INTO enf_r_new SELECT g, g FROM generate_series(1, 10000) g;
ALTER TABLE enf_r_new ADD COLUMN r1 float8 DEFAULT random();
ALTER TABLE enf_r_new ALTER COLUMN total TYPE bigint;
ALTER TABLE enf_r_new RENAME COLUMN total TO amount;
ROLLBACK;

-- big and pre-existing: refused
ALTER TABLE enf_r ADD COLUMN r1 float8 DEFAULT random();
ALTER TABLE enf_r ADD COLUMN r2 int GENERATED ALWAYS AS (total * 2) STORED;
ALTER TABLE enf_r ALTER COLUMN total TYPE bigint;
ALTER TABLE enf_r SET UNLOGGED;
CLUSTER enf_r USING enf_r_id_idx;
VACUUM FULL enf_r;
ALTER TABLE enf_r ADD CONSTRAINT enf_r_excl EXCLUDE USING btree (id WITH =);

-- a scan while this transaction holds ACCESS EXCLUSIVE on the table
BEGIN;
ALTER TABLE enf_r ADD CONSTRAINT enf_r_total_check CHECK (total >= 0) NOT VALID;
ALTER TABLE enf_r VALIDATE CONSTRAINT enf_r_total_check;
ROLLBACK;

-- ATTACH PARTITION without a CHECK implying the bound
CREATE TABLE enf_r_parent (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE enf_r_2025 (id int, at date);
INSERT INTO enf_r_2025 SELECT g, date '2025-01-01' + g % 365 FROM generate_series(1, 10000) g;
ANALYZE enf_r_2025;
ALTER TABLE enf_r_parent ATTACH PARTITION enf_r_2025
  FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
DROP TABLE enf_r_parent, enf_r_2025;

-- warn rules: a WARNING, and the statement runs
ALTER TABLE enf_r ADD COLUMN required int NOT NULL;
ALTER TABLE enf_r RENAME TO enf_r2;
ALTER TABLE enf_r2 RENAME TO enf_r;

RESET safe_ddl.small_table_size;
DROP TABLE enf_r;
