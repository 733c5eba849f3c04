--
-- safe_ddl.check_report(): check() as lines for a CI log, one per finding,
-- starting with the action; empty when safe_ddl has nothing to say.
--
-- check_report is new in 0.2 (a NOTICE, hidden, when the newest is already there)
SET client_min_messages = warning;
ALTER EXTENSION safe_ddl UPDATE;
RESET client_min_messages;

SET safe_ddl.mode = off;
CREATE SCHEMA cr;
CREATE TABLE cr.orders (id int PRIMARY KEY, total int, note text);
INSERT INTO cr.orders SELECT g, g % 100, 'n' FROM generate_series(1, 100) g;
CREATE TABLE cr.items (id int, order_id int);
RESET safe_ddl.mode;
-- every table counts as big: findings do not depend on the test's sizes
SET safe_ddl.small_table_size = 0;
SET search_path = cr, public;

-- nothing to say: an empty string, not NULL, not a line per statement
SELECT safe_ddl.check_report($$
ALTER TABLE orders ADD COLUMN created date;
CREATE INDEX CONCURRENTLY orders_total_idx ON orders (total);
CREATE TABLE fresh (id int);
CREATE INDEX ON fresh (id);
$$) = '' AS nothing_to_say;
SELECT safe_ddl.check_report('SELECT 1') IS NOT NULL AS not_null;

-- a migration with a rewrite, a refusal and a free change: one line per
-- finding, in statement order; unqualified names use the caller's path
\pset format unaligned
\pset tuples_only on
SELECT safe_ddl.check_report($$
CREATE INDEX orders_total_idx ON orders (total);
ALTER TABLE orders ADD COLUMN created date;
ALTER TABLE orders ALTER COLUMN total TYPE bigint;
ALTER TABLE cr.items ADD CONSTRAINT items_order_fk FOREIGN KEY (order_id) REFERENCES orders;
$$);

-- the hint line for one migration tool, on request (any case)
SELECT safe_ddl.check_report('ALTER TABLE orders ALTER COLUMN total TYPE bigint', 'django');
SELECT safe_ddl.check_report('ALTER TABLE orders ALTER COLUMN total TYPE bigint', 'Rails');

-- what migration tools print around their DDL is no finding: comments
-- (kept out of the statement quoted in the hint), BEGIN/COMMIT, and the
-- bookkeeping DML; a statement safe_ddl does not know is still flagged.
-- Checked in a transaction block, as the tool will run it.
BEGIN;
SELECT safe_ddl.check_report($$
BEGIN;
--
-- Create index orders_note_idx on field(s) note of model order
--
CREATE INDEX orders_note_idx ON orders (note);
UPDATE items SET order_id = 1 WHERE id = 0;
INSERT INTO items VALUES (0, 0);
REASSIGN OWNED BY CURRENT_USER TO CURRENT_USER;
COMMIT;
$$, 'alembic');
ROLLBACK;

-- inside a transaction block a concurrent build is impossible: refused
BEGIN;
SELECT safe_ddl.check_report('CREATE INDEX orders_note_idx ON orders (note)');
ROLLBACK;
\pset tuples_only off
\pset format aligned

-- what a CI job greps for: the count of refusals
SELECT count(*) AS rejections
  FROM regexp_split_to_table(safe_ddl.check_report($$
ALTER TABLE orders ALTER COLUMN total TYPE bigint;
ALTER TABLE orders ALTER COLUMN note TYPE varchar(10);
ALTER TABLE orders ADD COLUMN created date;
$$), E'\n') AS line
 WHERE line LIKE 'reject:%';

-- errors are check()'s: a syntax error points into the argument
SELECT safe_ddl.check_report('ALTER TABLE orders ADD COLUM x int');
SELECT safe_ddl.check_report(NULL) AS null_input;

RESET search_path;
RESET safe_ddl.small_table_size;
SET safe_ddl.mode = off;
DROP SCHEMA cr CASCADE;
RESET safe_ddl.mode;
