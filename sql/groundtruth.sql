--
-- Ground truth: run every supported statement kind for real on small
-- fixtures, each inside a subtransaction that is rolled back, and compare
-- what the server did with what safe_ddl.check() predicted:
--   lock mode  the strongest mode this backend holds on each pre-existing
--              fixture relation right after the statement (pg_locks), against
--              check()'s lock_mode (absent = no lock);
--   rewrite    a new relfilenode for the relation or one of its indexes,
--              against rewrites_table;
--   scan       the relation's sequential-scan counter for this transaction
--              (pg_stat_get_xact_numscans) moved, against scans_table.
-- Only mismatches are printed, so the expected output is "no mismatches"
-- and the number of statements checked.
--
-- Relations compared: every pre-existing table, partitioned table, view,
-- materialized view, foreign table and sequence of the fixture schema,
-- plus any index check() names.  Other indexes are locked as an
-- implementation detail of the statement and are not compared.
--
-- Statements that cannot run in a transaction block (VACUUM, CONCURRENTLY
-- forms, REINDEX SCHEMA/DATABASE/SYSTEM) are covered at the end against
-- the documented lock modes, and by test/specs/groundtruth_concurrent.spec,
-- which observes the lock they wait for from another session.
--
SET safe_ddl.mode = off;
SET client_min_messages = warning;
CREATE SCHEMA gt;
SET search_path = gt, public;

-- fixtures ----------------------------------------------------------------
CREATE TABLE gt.ref (id int PRIMARY KEY, code text UNIQUE);
INSERT INTO gt.ref SELECT g, 'c' || g FROM generate_series(1, 300) g;
CREATE TABLE gt.t (
	id int PRIMARY KEY,
	a int,
	b text,
	c varchar(10),
	n numeric(10, 2),
	ts timestamp,
	tz timestamptz,
	ref_id int REFERENCES gt.ref (id),
	d int NOT NULL DEFAULT 0,
	e text COLLATE "C",
	f int,
	g int
);
INSERT INTO gt.t SELECT g, g, 'b' || g, 'c' || g, g, now(), now(), g % 20 + 1, 0, 'e', g, g
  FROM generate_series(1, 50) g;
CREATE INDEX t_a_idx ON gt.t (a);
CREATE INDEX t_c_idx ON gt.t (c);
CREATE INDEX t_n_idx ON gt.t (n);
CREATE INDEX t_e_idx ON gt.t (e);
CREATE INDEX t_lower_b_idx ON gt.t (lower(b));
CREATE UNIQUE INDEX t_f_uidx ON gt.t (f);
ALTER TABLE gt.t ADD CONSTRAINT t_a_pos CHECK (a > 0) NOT VALID;
ALTER TABLE gt.t ADD CONSTRAINT t_b_nn CHECK (b IS NOT NULL);
CREATE TABLE gt.child (id int PRIMARY KEY, t_id int REFERENCES gt.t (id));
INSERT INTO gt.child SELECT g, g FROM generate_series(1, 10) g;
CREATE TABLE gt.child_nv (id int, t_id int);
ALTER TABLE gt.child_nv ADD CONSTRAINT child_nv_fk FOREIGN KEY (t_id) REFERENCES gt.t (id) NOT VALID;
CREATE TABLE gt.inh (id int, v int);
CREATE TABLE gt.inh_c () INHERITS (gt.inh);
INSERT INTO gt.inh_c VALUES (1, 1);
CREATE TABLE gt.pt (id int, k int, v text) PARTITION BY RANGE (k);
CREATE TABLE gt.pt_1 PARTITION OF gt.pt FOR VALUES FROM (0) TO (100);
CREATE TABLE gt.pt_2 PARTITION OF gt.pt FOR VALUES FROM (100) TO (200);
CREATE TABLE gt.pt_def PARTITION OF gt.pt DEFAULT;
INSERT INTO gt.pt SELECT g, g, 'v' FROM generate_series(1, 299) g;
CREATE TABLE gt.pt_new (id int, k int, v text);
INSERT INTO gt.pt_new VALUES (1, 1000, 'x');
CREATE MATERIALIZED VIEW gt.mv AS SELECT g AS id, f AS a FROM gt.t;
CREATE UNIQUE INDEX mv_id ON gt.mv (id);
CREATE VIEW gt.v AS SELECT g, f FROM gt.t;
CREATE SEQUENCE gt.s;
CREATE TABLE gt.ser (id serial, x int, y int NOT NULL);
INSERT INTO gt.ser (x, y) VALUES (1, 1);
CREATE DOMAIN gt.posint AS int CHECK (VALUE > 0);
CREATE TABLE gt.dom (id int, p gt.posint);
INSERT INTO gt.dom VALUES (1, 1);
CREATE TYPE gt.mood AS ENUM ('a', 'b');
CREATE TABLE gt.big (id int, x int);
INSERT INTO gt.big SELECT g, g FROM generate_series(1, 100) g;
CREATE INDEX big_x ON gt.big (x);
CLUSTER gt.big USING big_x;
CREATE FUNCTION gt.trg() RETURNS trigger LANGUAGE plpgsql AS
  $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER t_trg BEFORE UPDATE ON gt.t FOR EACH ROW EXECUTE FUNCTION gt.trg();
CREATE POLICY t_pol ON gt.t USING (true);
CREATE RULE v_rule AS ON DELETE TO gt.v DO INSTEAD NOTHING;
CREATE TABLE gt.lt (id int, v int);
CREATE TABLE gt.un (id int);
ALTER TABLE gt.un SET UNLOGGED;

-- the comparison ----------------------------------------------------------
CREATE FUNCTION gt.lock_rank(mode text) RETURNS int LANGUAGE sql IMMUTABLE AS $$
  SELECT array_position(ARRAY['AccessShareLock', 'RowShareLock',
    'RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock',
    'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'], mode)
$$;

-- one statement: the mismatches between check() and what really happened
CREATE FUNCTION gt.compare(stmt text)
RETURNS TABLE (statement text, relation text, what text, predicted text, observed text)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
	fixtures oid[];
	before_fn jsonb;
	after_fn jsonb;
	before_scans jsonb;
	after_scans jsonb;
	locks jsonb;
	predicted jsonb;
	failed text;
	before_idx jsonb;
	after_idx jsonb;
	rebuilt oid[];
	r record;
BEGIN
	SELECT array_agg(c.oid) INTO fixtures
	  FROM pg_class c
	 WHERE c.relnamespace = 'gt'::regnamespace
	   AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S');

	-- check()'s prediction, per relation
	SELECT jsonb_object_agg(k.relation::oid::text,
			jsonb_build_object('mode', k.lock_mode,
							   'rewrites', k.rewrites_table,
							   'scans', k.scans_table))
	  INTO predicted
	  FROM safe_ddl.check(stmt) k
	 WHERE k.relation IS NOT NULL;
	predicted := coalesce(predicted, '{}');
	SELECT array_agg(DISTINCT o) INTO fixtures
	  FROM unnest(fixtures || (SELECT array_agg(key::oid) FROM jsonb_object_keys(predicted) key)) o;

	-- relfilenodes of the fixtures and of their indexes, scan counters
	SELECT jsonb_object_agg(c.oid::text, c.relfilenode) INTO before_fn
	  FROM pg_class c
	 WHERE c.oid = ANY (fixtures)
		OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = ANY (fixtures));
	SELECT jsonb_object_agg(o::text, pg_stat_get_xact_numscans(o)) INTO before_scans
	  FROM unnest(fixtures) o;
	SELECT jsonb_object_agg(i.indexrelid::text,
			jsonb_build_object('rel', i.indrelid, 'fn', pg_relation_filenode(i.indexrelid)))
	  INTO before_idx
	  FROM pg_index i WHERE i.indrelid = ANY (fixtures);
	before_idx := coalesce(before_idx, '{}');

	BEGIN
		EXECUTE stmt;
		SELECT jsonb_object_agg(l.relation::text, l.mode) INTO locks
		  FROM (SELECT DISTINCT ON (relation) relation, mode
				  FROM pg_locks
				 WHERE pid = pg_backend_pid() AND locktype = 'relation'
				   AND granted AND relation = ANY (fixtures)
				 ORDER BY relation, gt.lock_rank(mode) DESC) l;
		SELECT jsonb_object_agg(c.oid::text, c.relfilenode) INTO after_fn
		  FROM pg_class c
		 WHERE c.oid IN (SELECT key::oid FROM jsonb_object_keys(before_fn) key);
		SELECT jsonb_object_agg(o::text, pg_stat_get_xact_numscans(o)) INTO after_scans
		  FROM unnest(fixtures) o;
		SELECT jsonb_object_agg(i.indexrelid::text,
				jsonb_build_object('rel', i.indrelid, 'fn', pg_relation_filenode(i.indexrelid)))
		  INTO after_idx
		  FROM pg_index i WHERE i.indrelid = ANY (fixtures);
		after_idx := coalesce(after_idx, '{}');
		RAISE EXCEPTION USING ERRCODE = 'SD001', MESSAGE = 'roll back';
	EXCEPTION
		WHEN SQLSTATE 'SD001' THEN
			NULL;
		WHEN OTHERS THEN
			failed := SQLERRM;
	END;

	IF failed IS NOT NULL THEN
		RETURN QUERY SELECT stmt, NULL::text, 'error', NULL::text, failed;
		RETURN;
	END IF;
	locks := coalesce(locks, '{}');
	-- an index rebuilt by the statement: a pre-existing index whose
	-- relfilenode changed, or one that was dropped and re-created with new
	-- storage (ALTER COLUMN TYPE re-creates indexes under new OIDs, and
	-- keeps their storage when it can)
	rebuilt := ARRAY(
		SELECT DISTINCT x.indrelid FROM jsonb_each_text(before_idx) b,
			   LATERAL (SELECT (b.value::jsonb ->> 'rel')::oid AS indrelid) x
		 WHERE (after_idx ? b.key
				AND (after_idx -> b.key ->> 'fn') <> (b.value::jsonb ->> 'fn'))
			OR (NOT after_idx ? b.key
				AND EXISTS (SELECT 1 FROM jsonb_each(after_idx) a
							WHERE NOT before_idx ? a.key
							  AND (a.value ->> 'rel')::oid = x.indrelid
							  AND NOT EXISTS (SELECT 1 FROM jsonb_each(before_idx) b2
											  WHERE (b2.value ->> 'fn') = (a.value ->> 'fn')))));
	after_fn := coalesce(after_fn, '{}');

	FOR r IN
		SELECT o AS relid,
			   coalesce(predicted -> o::text ->> 'mode', 'none') AS p_mode,
			   coalesce(locks ->> o::text, 'none') AS o_mode,
			   coalesce((predicted -> o::text ->> 'rewrites')::bool, false) AS p_rw,
			   (after_fn ? o::text
				AND ((before_fn ->> o::text) IS DISTINCT FROM (after_fn ->> o::text)
					 OR o = ANY (rebuilt))) AS o_rw,
			   coalesce((predicted -> o::text ->> 'scans')::bool, false) AS p_scan,
			   coalesce((after_scans ->> o::text)::bigint, 0) > coalesce((before_scans ->> o::text)::bigint, 0) AS o_scan
		  FROM unnest(fixtures) o
	LOOP
		IF r.p_mode <> r.o_mode THEN
			RETURN QUERY SELECT stmt, r.relid::regclass::text, 'lock', r.p_mode, r.o_mode;
		END IF;
		IF r.p_rw <> r.o_rw THEN
			RETURN QUERY SELECT stmt, r.relid::regclass::text, 'rewrite', r.p_rw::text, r.o_rw::text;
		END IF;
		-- TRUNCATE builds the indexes on the new, empty storage: that heap
		-- scan reads no row and is not what "scans" means
		IF r.p_scan <> r.o_scan AND stmt !~* '^TRUNCATE' THEN
			RETURN QUERY SELECT stmt, r.relid::regclass::text, 'scan', r.p_scan::text, r.o_scan::text;
		END IF;
	END LOOP;
END
$fn$;


-- the statements -----------------------------------------------------------
CREATE TEMP TABLE gt_statements (no serial, stmt text);
INSERT INTO gt_statements (stmt) VALUES
-- CREATE INDEX
('CREATE INDEX ON gt.t (b)'),
('CREATE UNIQUE INDEX t_id2 ON gt.t (id)'),
('CREATE INDEX ON gt.t (a) WHERE a > 10'),
('CREATE INDEX ON gt.t (lower(e))'),
('CREATE INDEX IF NOT EXISTS t_a_idx ON gt.t (a)'),
('CREATE INDEX ON gt.pt (k)'),
('CREATE INDEX ON ONLY gt.pt (v)'),
('CREATE INDEX ON gt.mv (a)'),
('CREATE INDEX ON gt.inh (v)'),
-- DROP INDEX
('DROP INDEX gt.t_a_idx'),
('DROP INDEX IF EXISTS gt.no_such_index'),
('DROP INDEX gt.t_a_idx, gt.t_c_idx'),
-- ALTER TABLE ADD COLUMN
('ALTER TABLE gt.t ADD COLUMN x int'),
('ALTER TABLE gt.t ADD COLUMN x int DEFAULT 0'),
('ALTER TABLE gt.t ADD COLUMN x int NOT NULL DEFAULT 0'),
('ALTER TABLE gt.t ADD COLUMN x timestamptz DEFAULT now()'),
('ALTER TABLE gt.t ADD COLUMN x float8 DEFAULT random()'),
('ALTER TABLE gt.t ADD COLUMN x uuid DEFAULT gen_random_uuid()'),
('ALTER TABLE gt.t ADD COLUMN x timestamptz DEFAULT clock_timestamp()'),
('ALTER TABLE gt.t ADD COLUMN x serial'),
('ALTER TABLE gt.t ADD COLUMN x bigint GENERATED ALWAYS AS IDENTITY'),
('ALTER TABLE gt.t ADD COLUMN x int GENERATED ALWAYS AS (a * 2) STORED'),
('ALTER TABLE gt.t ADD COLUMN x gt.posint'),
('ALTER TABLE gt.t ADD COLUMN x gt.posint DEFAULT 1'),
('ALTER TABLE gt.t ADD COLUMN x int CHECK (x > 0)'),
('ALTER TABLE gt.t ADD COLUMN x int REFERENCES gt.ref (id)'),
('ALTER TABLE gt.t ADD COLUMN x int UNIQUE'),
('ALTER TABLE gt.t ADD COLUMN IF NOT EXISTS a int'),
('ALTER TABLE gt.t ADD COLUMN x text DEFAULT ''abc'', ADD COLUMN y int DEFAULT 1'),
('ALTER TABLE gt.inh ADD COLUMN x int'),
('ALTER TABLE gt.inh ADD COLUMN x float8 DEFAULT random()'),
('ALTER TABLE gt.pt ADD COLUMN x int DEFAULT 1'),
('ALTER TABLE gt.pt ADD COLUMN x float8 DEFAULT random()'),
-- DROP COLUMN
('ALTER TABLE gt.t DROP COLUMN b'),
('ALTER TABLE gt.t DROP COLUMN a'),
('ALTER TABLE gt.t DROP COLUMN ref_id'),
('ALTER TABLE gt.t DROP COLUMN IF EXISTS nope'),
('ALTER TABLE gt.inh DROP COLUMN v'),
('ALTER TABLE gt.pt DROP COLUMN v'),
-- ALTER COLUMN TYPE
('ALTER TABLE gt.t ALTER COLUMN a TYPE bigint'),
('ALTER TABLE gt.t ALTER COLUMN c TYPE varchar(20)'),
('ALTER TABLE gt.t ALTER COLUMN c TYPE varchar(5)'),
('ALTER TABLE gt.t ALTER COLUMN c TYPE varchar'),
('ALTER TABLE gt.t ALTER COLUMN c TYPE text'),
('ALTER TABLE gt.t ALTER COLUMN b TYPE varchar(100)'),
('ALTER TABLE gt.t ALTER COLUMN n TYPE numeric(12, 2)'),
('ALTER TABLE gt.t ALTER COLUMN n TYPE numeric(12, 4)'),
('ALTER TABLE gt.t ALTER COLUMN n TYPE numeric'),
('ALTER TABLE gt.t ALTER COLUMN n TYPE numeric(8, 2)'),
('ALTER TABLE gt.t ALTER COLUMN a TYPE int USING a + 1'),
('ALTER TABLE gt.t ALTER COLUMN a TYPE bigint USING a::bigint'),
('ALTER TABLE gt.big ALTER COLUMN x TYPE text USING x::text'),
('ALTER TABLE gt.t ALTER COLUMN e TYPE text COLLATE "POSIX"'),
('ALTER TABLE gt.t ALTER COLUMN e TYPE text'),
('ALTER TABLE gt.t ALTER COLUMN ts TYPE timestamptz'),
('ALTER TABLE gt.t ALTER COLUMN tz TYPE timestamp'),
('ALTER TABLE gt.t ALTER COLUMN id TYPE bigint'),
('ALTER TABLE gt.t ALTER COLUMN ref_id TYPE bigint'),
('ALTER TABLE gt.t ALTER COLUMN a TYPE gt.posint'),
('ALTER TABLE gt.inh ALTER COLUMN v TYPE bigint'),
('ALTER TABLE gt.pt ALTER COLUMN v TYPE varchar(10)'),
('ALTER TABLE gt.pt ALTER COLUMN id TYPE bigint'),
-- defaults, NOT NULL
('ALTER TABLE gt.t ALTER COLUMN a SET DEFAULT 1'),
('ALTER TABLE gt.t ALTER COLUMN d DROP DEFAULT'),
('ALTER TABLE gt.t ALTER COLUMN a SET NOT NULL'),
('ALTER TABLE gt.t ALTER COLUMN b SET NOT NULL'),
('ALTER TABLE gt.t ALTER COLUMN d SET NOT NULL'),
('ALTER TABLE gt.t ALTER COLUMN d DROP NOT NULL'),
('ALTER TABLE gt.inh ALTER COLUMN v SET NOT NULL'),
('ALTER TABLE gt.pt ALTER COLUMN v SET NOT NULL'),
('ALTER TABLE gt.inh ALTER COLUMN v SET DEFAULT 3'),
-- constraints
('ALTER TABLE gt.t ADD CONSTRAINT c1 CHECK (a < 1000)'),
('ALTER TABLE gt.t ADD CONSTRAINT c1 CHECK (a < 1000) NOT VALID'),
('ALTER TABLE gt.t ADD CONSTRAINT fk1 FOREIGN KEY (f) REFERENCES gt.ref (id)'),
('ALTER TABLE gt.t ADD CONSTRAINT fk1 FOREIGN KEY (f) REFERENCES gt.ref (id) NOT VALID'),
('ALTER TABLE gt.t ADD CONSTRAINT u1 UNIQUE (g)'),
('ALTER TABLE gt.t ADD CONSTRAINT u1 UNIQUE USING INDEX t_f_uidx'),
('ALTER TABLE gt.big ADD PRIMARY KEY (id)'),
('ALTER TABLE gt.t ADD CONSTRAINT ex1 EXCLUDE USING btree (g WITH =)'),
('ALTER TABLE gt.t VALIDATE CONSTRAINT t_a_pos'),
('ALTER TABLE gt.t VALIDATE CONSTRAINT t_b_nn'),
('ALTER TABLE gt.child_nv VALIDATE CONSTRAINT child_nv_fk'),
('ALTER TABLE gt.t DROP CONSTRAINT t_a_pos'),
('ALTER TABLE gt.t DROP CONSTRAINT t_ref_id_fkey'),
('ALTER TABLE gt.child DROP CONSTRAINT child_t_id_fkey'),
('ALTER TABLE gt.t RENAME CONSTRAINT t_a_pos TO t_a_positive'),
('ALTER TABLE gt.inh ADD CONSTRAINT ic CHECK (v > 0)'),
('ALTER TABLE gt.pt ADD CONSTRAINT pc CHECK (k >= 0)'),
('ALTER TABLE gt.pt ADD CONSTRAINT pfk FOREIGN KEY (id) REFERENCES gt.ref (id)'),
('ALTER TABLE gt.child ALTER CONSTRAINT child_t_id_fkey DEFERRABLE'),
-- storage, statistics, options
('ALTER TABLE gt.t ALTER COLUMN b SET STATISTICS 500'),
('ALTER TABLE gt.t ALTER COLUMN b SET STORAGE EXTERNAL'),
('ALTER TABLE gt.t ALTER COLUMN b SET (n_distinct = 10)'),
('ALTER TABLE gt.t ALTER COLUMN b SET COMPRESSION pglz'),
('ALTER TABLE gt.t SET (fillfactor = 70)'),
('ALTER TABLE gt.t SET (autovacuum_enabled = false)'),
('ALTER TABLE gt.t RESET (fillfactor)'),
('ALTER TABLE gt.t SET TABLESPACE pg_default'),
('ALTER TABLE gt.lt SET UNLOGGED'),
('ALTER TABLE gt.un SET LOGGED'),
('ALTER TABLE gt.t SET ACCESS METHOD heap'),
('ALTER TABLE gt.t CLUSTER ON t_a_idx'),
('ALTER TABLE gt.t SET WITHOUT CLUSTER'),
('ALTER TABLE gt.inh ALTER COLUMN v SET STATISTICS 100'),
-- triggers, RLS, replica identity, owner, identity
('ALTER TABLE gt.t DISABLE TRIGGER t_trg'),
('ALTER TABLE gt.t ENABLE TRIGGER ALL'),
('ALTER TABLE gt.t ENABLE ROW LEVEL SECURITY'),
('ALTER TABLE gt.t FORCE ROW LEVEL SECURITY'),
('ALTER TABLE gt.t REPLICA IDENTITY FULL'),
('ALTER TABLE gt.t REPLICA IDENTITY USING INDEX t_pkey'),
('ALTER TABLE gt.t OWNER TO CURRENT_USER'),
('ALTER TABLE gt.ser ALTER COLUMN y ADD GENERATED BY DEFAULT AS IDENTITY'),
('ALTER TABLE gt.t ALTER COLUMN a SET NOT NULL, ADD CONSTRAINT c2 CHECK (a > 0), ALTER COLUMN c TYPE text'),
-- inheritance, partitions
('ALTER TABLE gt.lt INHERIT gt.inh'),
('ALTER TABLE gt.inh_c NO INHERIT gt.inh'),
('ALTER TABLE gt.pt ATTACH PARTITION gt.pt_new FOR VALUES FROM (1000) TO (2000)'),
('ALTER TABLE gt.pt DETACH PARTITION gt.pt_2'),
('ALTER TABLE gt.pt DETACH PARTITION gt.pt_def'),
-- renames
('ALTER TABLE gt.t RENAME TO t_renamed'),
('ALTER TABLE gt.t RENAME COLUMN b TO b2'),
('ALTER TABLE gt.inh RENAME COLUMN v TO v2'),
('ALTER INDEX gt.t_a_idx RENAME TO t_a_idx2'),
('ALTER TABLE gt.t_a_idx RENAME TO t_a_idx2'),
('ALTER VIEW gt.v RENAME TO v2'),
('ALTER MATERIALIZED VIEW gt.mv RENAME TO mv2'),
('ALTER SEQUENCE gt.s RENAME TO s2'),
('ALTER TRIGGER t_trg ON gt.t RENAME TO t_trg2'),
('ALTER POLICY t_pol ON gt.t RENAME TO t_pol2'),
('ALTER TABLE gt.t SET SCHEMA public'),
-- DROP
('DROP TABLE gt.child'),
('DROP TABLE gt.t CASCADE'),
('DROP TABLE gt.pt'),
('DROP TABLE gt.pt_1'),
('DROP TABLE gt.inh CASCADE'),
('DROP TABLE gt.inh_c'),
('DROP VIEW gt.v'),
('DROP MATERIALIZED VIEW gt.mv'),
('DROP SEQUENCE gt.s'),
('DROP TABLE gt.ser'),
('DROP TRIGGER t_trg ON gt.t'),
('DROP POLICY t_pol ON gt.t'),
('DROP RULE v_rule ON gt.v'),
('DROP TABLE IF EXISTS gt.nope'),
-- TRUNCATE, LOCK
('TRUNCATE gt.ref CASCADE'),
('TRUNCATE gt.child'),
('TRUNCATE gt.pt'),
('TRUNCATE gt.inh'),
('TRUNCATE ONLY gt.inh'),
('TRUNCATE gt.ser RESTART IDENTITY'),
('LOCK TABLE gt.t'),
('LOCK TABLE gt.t IN SHARE MODE'),
('LOCK TABLE gt.inh IN ROW EXCLUSIVE MODE'),
('LOCK TABLE ONLY gt.inh IN ACCESS SHARE MODE'),
('LOCK TABLE gt.pt IN SHARE ROW EXCLUSIVE MODE'),
('LOCK TABLE gt.v IN EXCLUSIVE MODE'),
-- CLUSTER, REINDEX, REFRESH, ANALYZE
('CLUSTER gt.big'),
('CLUSTER gt.t USING t_a_idx'),
('REINDEX INDEX gt.t_a_idx'),
('REINDEX TABLE gt.t'),
('REINDEX TABLE gt.mv'),
('REFRESH MATERIALIZED VIEW gt.mv'),
('REFRESH MATERIALIZED VIEW CONCURRENTLY gt.mv'),
('REFRESH MATERIALIZED VIEW gt.mv WITH NO DATA'),
('ANALYZE gt.t'),
('ANALYZE gt.inh'),
('ANALYZE gt.pt'),
-- CREATE TABLE and views
('CREATE TABLE gt.nt (id int REFERENCES gt.ref (id))'),
('CREATE TABLE gt.nt (LIKE gt.t INCLUDING ALL)'),
('CREATE TABLE gt.nt () INHERITS (gt.inh)'),
('CREATE TABLE gt.nt PARTITION OF gt.pt FOR VALUES FROM (300) TO (400)'),
('CREATE TABLE gt.nt AS SELECT * FROM gt.t'),
('CREATE MATERIALIZED VIEW gt.nmv AS SELECT t.id, ref.code FROM gt.t JOIN gt.ref ON ref.id = t.ref_id'),
('CREATE VIEW gt.nv AS SELECT * FROM gt.t'),
('CREATE OR REPLACE VIEW gt.v AS SELECT g, f, a FROM gt.t'),
-- triggers, rules, policies
('CREATE TRIGGER t2 AFTER INSERT ON gt.t FOR EACH ROW EXECUTE FUNCTION gt.trg()'),
('CREATE TRIGGER p2 AFTER INSERT ON gt.pt FOR EACH ROW EXECUTE FUNCTION gt.trg()'),
('CREATE RULE r2 AS ON UPDATE TO gt.v DO INSTEAD NOTHING'),
('CREATE POLICY p2 ON gt.t USING (a > 0)'),
('ALTER POLICY t_pol ON gt.t USING (a > 1)'),
-- types, sequences, comments, grants, statistics
('ALTER TYPE gt.mood ADD VALUE ''c'''),
('ALTER TYPE gt.mood RENAME VALUE ''a'' TO ''z'''),
('ALTER SEQUENCE gt.s RESTART WITH 10'),
('ALTER SEQUENCE gt.s INCREMENT BY 5'),
('ALTER SEQUENCE gt.s OWNED BY gt.big.id'),
('COMMENT ON TABLE gt.t IS ''x'''),
('COMMENT ON COLUMN gt.t.a IS ''x'''),
('COMMENT ON INDEX gt.t_a_idx IS ''x'''),
('COMMENT ON CONSTRAINT t_a_pos ON gt.t IS ''x'''),
('COMMENT ON TRIGGER t_trg ON gt.t IS ''x'''),
('COMMENT ON POLICY t_pol ON gt.t IS ''x'''),
('COMMENT ON RULE v_rule ON gt.v IS ''x'''),
('COMMENT ON VIEW gt.v IS ''x'''),
('GRANT SELECT ON gt.t TO PUBLIC'),
('REVOKE ALL ON gt.t FROM PUBLIC'),
('CREATE STATISTICS gt.st1 ON a, g FROM gt.t'),
('ALTER DOMAIN gt.posint ADD CONSTRAINT pos2 CHECK (VALUE < 1000)'),
('ALTER DOMAIN gt.posint ADD CONSTRAINT pos2 CHECK (VALUE < 1000) NOT VALID');

-- each statement in its own transaction: sequence locks outlive a
-- rolled-back subtransaction, and the scan counters are per transaction
CREATE TEMP TABLE gt_mismatches (no int, statement text, relation text,
								 what text, predicted text, observed text);
CREATE PROCEDURE gt.run_all() LANGUAGE plpgsql AS $$
DECLARE
	s record;
BEGIN
	FOR s IN SELECT no, stmt FROM gt_statements ORDER BY no LOOP
		INSERT INTO gt_mismatches SELECT s.no, m.* FROM gt.compare(s.stmt) m;
		COMMIT;
	END LOOP;
END
$$;
CALL gt.run_all();
SELECT statement, relation, what, predicted, observed
  FROM gt_mismatches ORDER BY no, relation, what;

SELECT count(*) AS statements_checked FROM gt_statements;
