--
-- What PostgreSQL 18 added: virtual generated columns (the default kind),
-- computed when read: adding one or changing its expression is
-- catalog-only; and ADD CONSTRAINT ... NOT NULL col, which scans the table
-- under ACCESS EXCLUSIVE like SET NOT NULL, unless NOT VALID.  The syntax
-- does not exist before 18: there the test stops after the version check
-- (expected/pg18_1.out).
--
SELECT current_setting('server_version_num')::int >= 180000 AS pg18 \gset
\if :pg18
\else
\quit
\endif

SET safe_ddl.mode = off;
CREATE SCHEMA p18;
CREATE TABLE p18.t (id int, a int, v int GENERATED ALWAYS AS (a * 2) VIRTUAL);
INSERT INTO p18.t (id, a) SELECT g, g FROM generate_series(1, 10000) g;
ALTER TABLE p18.t ADD CONSTRAINT t_id_check CHECK (id IS NOT NULL);
CREATE TABLE p18.child (extra int) INHERITS (p18.t);
-- SET EXPRESSION of a virtual column is refused on a table with CHECKs
CREATE TABLE p18.u (id int, a int, v int GENERATED ALWAYS AS (a * 2) VIRTUAL);
INSERT INTO p18.u (id, a) SELECT g, g FROM generate_series(1, 10000) g;
ANALYZE p18.t, p18.u;
RESET safe_ddl.mode;
SET safe_ddl.small_table_size = 0;

-- the analysis
SELECT statement_no, relation, lock_mode, rewrites_table, scans_table, rule
  FROM safe_ddl.check($$
ALTER TABLE p18.t ADD COLUMN w int GENERATED ALWAYS AS (a + 1);
ALTER TABLE p18.t ADD COLUMN w int GENERATED ALWAYS AS (a + 1) VIRTUAL;
ALTER TABLE p18.t ADD COLUMN w int GENERATED ALWAYS AS (a + 1) STORED;
ALTER TABLE p18.t ADD COLUMN w int GENERATED ALWAYS AS (a + 1) NOT NULL;
ALTER TABLE p18.u ALTER COLUMN v SET EXPRESSION AS (a * 3);
ALTER TABLE p18.t ADD CONSTRAINT t_a_nn NOT NULL a;
ALTER TABLE p18.t ADD CONSTRAINT t_a_nn NOT NULL a NOT VALID;
ALTER TABLE p18.t ADD CONSTRAINT t_a_nn NOT NULL a NO INHERIT;
ALTER TABLE p18.t ADD CONSTRAINT t_id_nn NOT NULL id;
$$);

-- the server agrees: no new relfilenode for the virtual column and the
-- new expression
SET safe_ddl.mode = off;
CREATE TEMP TABLE p18_before AS
  SELECT oid, relfilenode FROM pg_class
   WHERE oid IN ('p18.t'::regclass, 'p18.u'::regclass);
ALTER TABLE p18.t ADD COLUMN w int GENERATED ALWAYS AS (a + 1);
ALTER TABLE p18.u ALTER COLUMN v SET EXPRESSION AS (a * 3);
SELECT c.oid::regclass, c.relfilenode = b.relfilenode AS same_storage
  FROM pg_class c JOIN p18_before b USING (oid) ORDER BY 1;
ALTER TABLE p18.t DROP COLUMN w;
RESET safe_ddl.mode;

-- enforced on a big table, in a transaction block: a virtual column is
-- accepted, ADD CONSTRAINT ... NOT NULL refused, NOT VALID accepted
BEGIN;
ALTER TABLE p18.t ADD COLUMN w int GENERATED ALWAYS AS (a + 1);
ALTER TABLE p18.u ALTER COLUMN v SET EXPRESSION AS (a * 4);
SELECT t.w, u.v FROM p18.t, p18.u WHERE t.id = 10 AND u.id = 10;
ROLLBACK;
BEGIN;
ALTER TABLE p18.t ADD CONSTRAINT t_a_nn NOT NULL a;
ROLLBACK;
BEGIN;
ALTER TABLE p18.t ADD CONSTRAINT t_a_nn NOT NULL a NOT VALID;
SELECT conname, convalidated FROM pg_constraint
 WHERE conrelid = 'p18.t'::regclass AND conname = 't_a_nn';
-- the column is now marked NOT NULL, but SET NOT NULL and VALIDATE
-- still scan it
SELECT attnotnull FROM pg_attribute
 WHERE attrelid = 'p18.t'::regclass AND attname = 'a';
SELECT statement_no, relation, scans_table, rule
  FROM safe_ddl.check($$
ALTER TABLE p18.t ALTER COLUMN a SET NOT NULL;
ALTER TABLE p18.t VALIDATE CONSTRAINT t_a_nn;
$$);
ROLLBACK;

-- NOT ENFORCED constraints change the catalog only; ALTER CONSTRAINT ...
-- ENFORCED validates (a scan, and a foreign key reads the table it
-- references); INHERIT of a NOT NULL constraint scans the children, NO
-- INHERIT only locks them
SET safe_ddl.mode = off;
CREATE TABLE p18.ref (id int PRIMARY KEY);
INSERT INTO p18.ref SELECT generate_series(1, 10000);
ALTER TABLE p18.t ADD CONSTRAINT t_ref_fk FOREIGN KEY (id) REFERENCES p18.ref
  NOT ENFORCED;
ALTER TABLE p18.t ADD CONSTRAINT t_id_nn NOT NULL id NO INHERIT;
ALTER TABLE p18.t ADD CONSTRAINT t_ref_on FOREIGN KEY (id) REFERENCES p18.ref;
ALTER TABLE p18.t ADD COLUMN q int DEFAULT 0;
ALTER TABLE p18.t ADD CONSTRAINT t_q_nn NOT NULL q;
ANALYZE p18.ref;
RESET safe_ddl.mode;
SELECT statement_no, relation, lock_mode, scans_table, rule
  FROM safe_ddl.check($$
ALTER TABLE p18.t ADD CONSTRAINT t_a_pos CHECK (a > 0) NOT ENFORCED;
ALTER TABLE p18.t ADD CONSTRAINT t_a_fk FOREIGN KEY (a) REFERENCES p18.ref NOT ENFORCED;
ALTER TABLE p18.t ADD COLUMN b int CHECK (b > 0) NOT ENFORCED DEFAULT 1;
ALTER TABLE p18.t ALTER CONSTRAINT t_ref_fk ENFORCED;
ALTER TABLE p18.t ALTER CONSTRAINT t_ref_fk NOT ENFORCED;
ALTER TABLE p18.t ALTER CONSTRAINT t_id_nn INHERIT;
ALTER TABLE p18.t ALTER CONSTRAINT t_id_nn NO INHERIT;
$$);
SELECT conname, conenforced, convalidated FROM pg_constraint
 WHERE conrelid = 'p18.t'::regclass AND contype = 'f';
BEGIN;
ALTER TABLE p18.t ALTER CONSTRAINT t_ref_fk ENFORCED;
ROLLBACK;

-- the server agrees (as sql/groundtruth.sql checks for the rest): each
-- statement run in a subtransaction rolled back, the strongest mode this
-- backend then held on each p18 table against check()'s lock_mode; only
-- mismatches are listed
CREATE FUNCTION pg_temp.p18_truth(stmt text)
RETURNS TABLE (relation regclass, held text, predicted text)
LANGUAGE plpgsql AS $f$
DECLARE
	modes text[] := ARRAY['AccessShareLock', 'RowShareLock',
		'RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock',
		'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'];
	taken text[];
BEGIN
	BEGIN
		SET LOCAL safe_ddl.mode = off;
		EXECUTE stmt;
		SELECT array_agg(l.relation::regclass::text || '=' || l.mode)
		  INTO taken
		  FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
		 WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation'
		   AND c.relnamespace = 'p18'::regnamespace AND c.relkind = 'r';
		RAISE EXCEPTION 'roll back';
	EXCEPTION WHEN raise_exception THEN
		NULL;
	END;
	RETURN QUERY
	WITH h AS (
		SELECT split_part(x, '=', 1)::regclass AS rel,
			   modes[max(array_position(modes, split_part(x, '=', 2)))] AS mode
		  FROM unnest(taken) x GROUP BY 1),
	p AS (
		SELECT c.relation AS rel, c.lock_mode AS mode
		  FROM safe_ddl.check(stmt) c
		  JOIN pg_class k ON k.oid = c.relation AND k.relkind = 'r')
	SELECT coalesce(h.rel, p.rel), h.mode, p.mode
	  FROM h FULL JOIN p ON h.rel = p.rel
	 WHERE h.mode IS DISTINCT FROM p.mode;
END
$f$;
SELECT s.stmt, t.*
  FROM (VALUES
	('ALTER TABLE p18.t ADD CONSTRAINT t_a_pos CHECK (a > 0) NOT ENFORCED'),
	('ALTER TABLE p18.t ADD CONSTRAINT t_a_fk FOREIGN KEY (a) REFERENCES p18.ref NOT ENFORCED'),
	('ALTER TABLE ONLY p18.t ADD CONSTRAINT t_a_fk FOREIGN KEY (a) REFERENCES p18.ref NOT ENFORCED'),
	('ALTER TABLE p18.t ADD CONSTRAINT t_a_fk FOREIGN KEY (a) REFERENCES p18.ref'),
	('ALTER TABLE p18.t ALTER CONSTRAINT t_ref_fk ENFORCED'),
	('ALTER TABLE p18.t ALTER CONSTRAINT t_ref_on NOT ENFORCED'),
	('ALTER TABLE p18.t ALTER CONSTRAINT t_id_nn INHERIT'),
	('ALTER TABLE p18.t ALTER CONSTRAINT t_id_nn NO INHERIT'),
	('ALTER TABLE p18.t ALTER CONSTRAINT t_q_nn NO INHERIT'),
	('ALTER TABLE p18.t ADD CONSTRAINT t_a_nn NOT NULL a'),
	('ALTER TABLE p18.t ADD CONSTRAINT t_a_nn NOT NULL a NOT VALID')
  ) s(stmt), pg_temp.p18_truth(s.stmt) t;

-- a temporal key's index is no plain unique index: no online form
SELECT statement_no, relation, action, rule
  FROM safe_ddl.check($$
ALTER TABLE p18.u ADD CONSTRAINT u_id_key UNIQUE (id, a WITHOUT OVERLAPS);
$$) WHERE rule IS NOT NULL;

-- SET NOT NULL from 18: the NOT NULL constraint it would create, added NOT
-- VALID and then validated (no helper CHECK); in autocommit it ends as SET
-- NOT NULL would
SELECT statement_no, split_part(hint, E'\n', 2) AS step1,
	   split_part(hint, E'\n', 3) AS step2
  FROM safe_ddl.check($$
BEGIN;
ALTER TABLE p18.u ALTER COLUMN a SET NOT NULL;
ALTER TABLE p18.u ADD CONSTRAINT u_id_nn NOT NULL id;
COMMIT;
$$) WHERE rule IS NOT NULL;
ALTER TABLE p18.u ALTER COLUMN a SET NOT NULL;
ALTER TABLE p18.u ADD CONSTRAINT u_id_nn NOT NULL id;
SELECT conname, convalidated FROM pg_constraint
 WHERE conrelid = 'p18.u'::regclass AND contype = 'n' ORDER BY 1;
-- a column with a NOT VALID NOT NULL: SET NOT NULL validates that one
SET safe_ddl.mode = off;
ALTER TABLE p18.u ADD COLUMN z int DEFAULT 0;
ALTER TABLE p18.u ADD CONSTRAINT u_z_nn NOT NULL z NOT VALID;
RESET safe_ddl.mode;
SELECT statement_no, split_part(hint, E'\n', 2) AS step1
  FROM safe_ddl.check($$
BEGIN;
ALTER TABLE p18.u ALTER COLUMN z SET NOT NULL;
COMMIT;
$$) WHERE rule IS NOT NULL;

-- a null: SET NOT NULL's own error, and the NOT VALID constraint the
-- rewrite added is dropped again
SET safe_ddl.mode = off;
ALTER TABLE p18.u ADD COLUMN n int;
RESET safe_ddl.mode;
ALTER TABLE p18.u ALTER COLUMN n SET NOT NULL;
SELECT count(*) AS left_behind FROM pg_constraint
 WHERE conrelid = 'p18.u'::regclass AND conname = 'u_n_not_null';

RESET safe_ddl.small_table_size;
SET safe_ddl.mode = off;
DROP SCHEMA p18 CASCADE;
RESET safe_ddl.mode;
