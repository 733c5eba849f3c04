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
--              (pg_stat_get_xact_numscans) moved, against scans_table;
--              for ANALYZE, which samples blocks without a sequential
--              scan, it read (pg_stat_get_xact_blocks_fetched) at least as
--              many blocks as the relation has.
-- A partitioned table the statement locks has no storage: it is rewritten
-- or scanned when one of its leaf partitions is.  A sequence's single row written to new
-- storage (ALTER SEQUENCE, RESTART IDENTITY) is no table rewrite.
-- Only mismatches are printed, so the expected output is "no mismatches"
-- and the number of statements checked.  A statement may be several,
-- separated by semicolons: check() sees them as one migration, and its
-- prediction for each relation is the strongest over them.
--
-- Relations compared: every pre-existing table, partitioned table, view,
-- materialized view, foreign table and sequence of the fixture schema,
-- plus any index check() names or the statement names (directly or
-- through its constraint, e.g. DROP CONSTRAINT t_pkey).  Other indexes
-- are locked as an implementation detail of the statement and are not
-- compared.
--
-- Statements that cannot run in a transaction block (VACUUM, CONCURRENTLY
-- forms, REINDEX SCHEMA/DATABASE/SYSTEM) are covered at the end against
-- the documented lock modes, and by test/specs/check_concurrent.spec,
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
INSERT INTO gt.child_nv VALUES (1, 1), (2, 2);
CREATE TABLE gt.inh (id int, v int);
CREATE TABLE gt.inh_c () INHERITS (gt.inh);
-- PostgreSQL 18 refuses ONLY ... ADD PRIMARY KEY while a child's column is nullable
ALTER TABLE gt.inh_c ALTER COLUMN id SET NOT NULL;
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
CREATE INDEX pt_k_idx ON ONLY gt.pt (k);
CREATE INDEX pt_1_k_idx ON gt.pt_1 (k);
CREATE TABLE gt.pt_nochk (id int, k int, v text);
CREATE TABLE gt.pt_chk (id int, k int NOT NULL, v text, CONSTRAINT pt_chk_k CHECK (k >= 500 AND k < 600));
CREATE TABLE gt.pt_chk2 (id int, k int, v text, CONSTRAINT pt_chk2_k CHECK (k IS NOT NULL AND k >= 500 AND k < 600));
INSERT INTO gt.pt_chk VALUES (1, 550, 'x');
INSERT INTO gt.pt_chk2 VALUES (1, 550, 'x');
INSERT INTO gt.pt_nochk VALUES (1, 550, 'x');
CREATE TABLE gt.lp (k int, v text) PARTITION BY LIST (k);
CREATE TABLE gt.lp_1 PARTITION OF gt.lp FOR VALUES IN (1, 2);
CREATE TABLE gt.lp_chk (k int NOT NULL CHECK (k IN (3, 4)), v text);
CREATE TABLE gt.lp_nochk (k int, v text);
INSERT INTO gt.lp_chk VALUES (3, 'x');
INSERT INTO gt.lp_nochk VALUES (3, 'x');
CREATE FOREIGN DATA WRAPPER gt_dummy;
CREATE SERVER gt_srv FOREIGN DATA WRAPPER gt_dummy;
CREATE FOREIGN TABLE gt.ft (id int, v text) SERVER gt_srv;
CREATE TABLE gt.fkp (id int, k int, PRIMARY KEY (id, k)) PARTITION BY RANGE (k);
CREATE TABLE gt.fkp_1 PARTITION OF gt.fkp FOR VALUES FROM (0) TO (1000);
INSERT INTO gt.fkp SELECT g, g FROM generate_series(1, 300) g;
CREATE STATISTICS gt.t_stats ON a, g FROM gt.t;
CREATE VIEW gt.v2 AS SELECT * FROM gt.v;
CREATE UNIQUE INDEX big_id_uidx ON gt.big (id);
CREATE TYPE gt.comp AS (id int, v int);
CREATE FUNCTION gt.spare() RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE TABLE gt.pv (id int, k int, v text) PARTITION BY RANGE (k);
CREATE TABLE gt.pv_1 PARTITION OF gt.pv FOR VALUES FROM (0) TO (100);
CREATE TABLE gt.pv_2 PARTITION OF gt.pv FOR VALUES FROM (100) TO (200);
INSERT INTO gt.pv SELECT g, g, 'v' FROM generate_series(1, 199) g;
ALTER TABLE gt.pv ADD CONSTRAINT pv_k_nn CHECK (k IS NOT NULL) NOT VALID;
CREATE TABLE gt.iv (id int, v int);
CREATE TABLE gt.iv_c () INHERITS (gt.iv);
INSERT INTO gt.iv_c VALUES (1, 1);
ALTER TABLE gt.iv ADD CONSTRAINT iv_v_pos CHECK (v > 0) NOT VALID;
CREATE TRIGGER pt_trg BEFORE UPDATE ON gt.pt FOR EACH ROW EXECUTE FUNCTION gt.trg();
CREATE TABLE gt.cv (id int, c varchar(10) CHECK (c <> ''), n numeric(8, 2) CHECK (n > 0));
INSERT INTO gt.cv VALUES (1, 'x', 1);
CREATE SCHEMA gt2;
CREATE TABLE gt2.a (id int PRIMARY KEY, ref_id int REFERENCES gt.ref (id));
CREATE TABLE gt2.b (id int REFERENCES gt2.a (id));
CREATE VIEW gt2.va AS SELECT id FROM gt.big;
CREATE TABLE gt.un (id int);
ALTER TABLE gt.un SET UNLOGGED;
-- one row per block: 400 blocks, more than a sample of 300 rows (a
-- statistics target of 1) visits, fewer than a sample of 3000 (the target
-- of 10 of its extended statistics) or the default sample's 30000
CREATE TABLE gt.wide (id int, pad text) WITH (fillfactor = 10);
INSERT INTO gt.wide SELECT g, repeat('x', 1000) FROM generate_series(1, 400) g;
ALTER TABLE gt.wide ALTER COLUMN id SET STATISTICS 1;
ALTER TABLE gt.wide ALTER COLUMN pad SET STATISTICS 1;
-- with its own target, an extended statistics object samples more rows
CREATE STATISTICS gt.wide_st ON id, pad FROM gt.wide;
ALTER STATISTICS gt.wide_st SET STATISTICS 10;
-- a foreign key not yet validated, to a partitioned table
CREATE TABLE gt.fkc (id int, k int);
INSERT INTO gt.fkc VALUES (1, 1), (2, 2);
ALTER TABLE gt.fkc ADD CONSTRAINT fkc_fk FOREIGN KEY (id, k) REFERENCES gt.fkp (id, k) NOT VALID;
-- big enough for the planner to find a row through an index
CREATE TABLE gt.dml (id int PRIMARY KEY, v int, w int);
INSERT INTO gt.dml SELECT g, g % 10, g FROM generate_series(1, 5000) g;
ANALYZE gt.dml;
CREATE TABLE gt.dmlc (id int, dml_id int REFERENCES gt.dml (id));

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
	before_blocks jsonb;
	after_fetched jsonb;
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
	   AND (c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
			OR (c.relkind IN ('i', 'I') AND stmt ~ ('\m' || c.relname || '\M')));

	-- check()'s prediction, per relation (the strongest over the statements)
	BEGIN
		SELECT jsonb_object_agg(p.relation,
				jsonb_build_object('mode', p.mode, 'rewrites', p.rewrites,
								   'scans', p.scans))
		  INTO predicted
		  FROM (SELECT k.relation::oid::text AS relation,
					   (array_agg(k.lock_mode ORDER BY gt.lock_rank(k.lock_mode) DESC))[1] AS mode,
					   bool_or(k.rewrites_table) AS rewrites,
					   bool_or(k.scans_table) AS scans
				  FROM safe_ddl.check(stmt) k
				 WHERE k.relation IS NOT NULL
				 GROUP BY 1) p;
	EXCEPTION
		WHEN OTHERS THEN
			RETURN QUERY SELECT stmt, NULL::text, 'check() failed', NULL::text, SQLERRM;
			RETURN;
	END;
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
	SELECT jsonb_object_agg(o::text, jsonb_build_object(
			'fetched', pg_stat_get_xact_blocks_fetched(o),
			'blocks', pg_relation_size(o) / current_setting('block_size')::int))
	  INTO before_blocks
	  FROM unnest(fixtures) o;
	SELECT jsonb_object_agg(i.indexrelid::text,
			jsonb_build_object('rel', i.indrelid, 'fn', pg_relation_filenode(i.indexrelid)))
	  INTO before_idx
	  FROM pg_index i WHERE i.indrelid = ANY (fixtures);
	before_idx := coalesce(before_idx, '{}');

	BEGIN
		-- the query that validates a foreign key joins both tables in full
		-- (a hash join, as on tables of any real size), not by probing the
		-- referenced table row by row as the planner may on tiny fixtures
		SET LOCAL enable_nestloop = off;
		SET LOCAL enable_mergejoin = off;
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
		SELECT jsonb_object_agg(o::text, pg_stat_get_xact_blocks_fetched(o))
		  INTO after_fetched
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
	-- (an index check() reports is compared on its own row too; an index
	-- moved to another tablespace is copied block by block, not rebuilt,
	-- and counts on its own row only)
	rebuilt := ARRAY(
		SELECT DISTINCT x.indrelid FROM jsonb_each_text(before_idx) b,
			   LATERAL (SELECT (b.value::jsonb ->> 'rel')::oid AS indrelid) x
		 WHERE stmt !~* 'SET TABLESPACE'
		   AND ((after_idx ? b.key
				 AND (after_idx -> b.key ->> 'fn') <> (b.value::jsonb ->> 'fn'))
				OR (NOT after_idx ? b.key
					AND EXISTS (SELECT 1 FROM jsonb_each(after_idx) a
								WHERE NOT before_idx ? a.key
								  AND (a.value ->> 'rel')::oid = x.indrelid
								  AND NOT EXISTS (SELECT 1 FROM jsonb_each(before_idx) b2
												  WHERE (b2.value ->> 'fn') = (a.value ->> 'fn'))))));
	after_fn := coalesce(after_fn, '{}');

	FOR r IN
		WITH obs AS (
			SELECT o AS relid, c.relkind,
				   coalesce(predicted -> o::text ->> 'mode', 'none') AS p_mode,
				   coalesce(locks ->> o::text, 'none') AS o_mode,
				   coalesce((predicted -> o::text ->> 'rewrites')::bool, false) AS p_rw,
				   (c.relkind <> 'S' AND after_fn ? o::text
					AND ((before_fn ->> o::text) IS DISTINCT FROM (after_fn ->> o::text)
						 OR o = ANY (rebuilt))) AS o_rw,
				   coalesce((predicted -> o::text ->> 'scans')::bool, false) AS p_scan,
				   CASE WHEN stmt ~* '(^|;\s*)ANALYZE'
						THEN c.relkind IN ('r', 'm') AND locks ? o::text
							 AND coalesce((after_fetched ->> o::text)::bigint, 0)
								 - (before_blocks -> o::text ->> 'fetched')::bigint
								 >= (before_blocks -> o::text ->> 'blocks')::bigint
						ELSE coalesce((after_scans ->> o::text)::bigint, 0)
							 > coalesce((before_scans ->> o::text)::bigint, 0)
				   END AS o_scan
			  FROM unnest(fixtures) o
			  JOIN pg_class c ON c.oid = o)
		SELECT obs.relid, obs.p_mode, obs.o_mode, obs.p_rw, obs.p_scan,
			   CASE WHEN obs.relkind = 'p' AND obs.o_mode <> 'none'
					THEN EXISTS (SELECT 1 FROM pg_partition_tree(obs.relid) l
								   JOIN obs lo ON lo.relid = l.relid
								  WHERE l.isleaf AND lo.o_rw)
					ELSE obs.o_rw END AS o_rw,
			   CASE WHEN obs.relkind = 'p' AND obs.o_mode <> 'none'
					THEN EXISTS (SELECT 1 FROM pg_partition_tree(obs.relid) l
								   JOIN obs lo ON lo.relid = l.relid
								  WHERE l.isleaf AND lo.o_scan)
					ELSE obs.o_scan END AS o_scan
		  FROM obs
	LOOP
		IF r.p_mode <> r.o_mode THEN
			RETURN QUERY SELECT stmt, r.relid::regclass::text, 'lock', r.p_mode, r.o_mode;
		END IF;
		IF r.p_rw <> r.o_rw THEN
			RETURN QUERY SELECT stmt, r.relid::regclass::text, 'rewrite', r.p_rw::text, r.o_rw::text;
		END IF;
		-- TRUNCATE and REFRESH ... WITH NO DATA build the indexes on the
		-- new, empty storage: that heap scan reads no row and is not what
		-- "scans" means
		IF r.p_scan <> r.o_scan
		   AND stmt !~* '(^|;\s*)(TRUNCATE|REFRESH MATERIALIZED VIEW .* WITH NO DATA$)' THEN
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
('ALTER VIEW gt.v RENAME TO v9'),
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
('CREATE MATERIALIZED VIEW gt.nmv AS SELECT t.id, t.b FROM gt.t WHERE a > 0'),
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
('ALTER DOMAIN gt.posint ADD CONSTRAINT pos2 CHECK (VALUE < 1000) NOT VALID'),
('ALTER DOMAIN gt.posint SET NOT NULL'),
('ALTER DOMAIN gt.posint DROP CONSTRAINT posint_check'),
-- ALTER INDEX / VIEW / MATERIALIZED VIEW / SEQUENCE / FOREIGN TABLE
('ALTER INDEX gt.t_a_idx SET (fillfactor = 50)'),
('ALTER INDEX gt.t_a_idx SET TABLESPACE pg_default'),
('ALTER INDEX gt.t_lower_b_idx ALTER COLUMN 1 SET STATISTICS 100'),
('ALTER INDEX gt.pt_k_idx ATTACH PARTITION gt.pt_1_k_idx'),
('ALTER VIEW gt.v ALTER COLUMN f SET DEFAULT 1'),
('ALTER VIEW gt.v OWNER TO CURRENT_USER'),
('ALTER VIEW gt.v SET (security_barrier = true)'),
('ALTER VIEW gt.v SET SCHEMA public'),
('ALTER MATERIALIZED VIEW gt.mv SET (fillfactor = 50)'),
('ALTER MATERIALIZED VIEW gt.mv ALTER COLUMN a SET STATISTICS 10'),
('ALTER MATERIALIZED VIEW gt.mv CLUSTER ON mv_id'),
('ALTER SEQUENCE gt.s OWNER TO CURRENT_USER'),
('ALTER SEQUENCE gt.s SET SCHEMA public'),
('ALTER SEQUENCE gt.s NO CYCLE'),
('ALTER FOREIGN TABLE gt.ft ADD COLUMN x int'),
('ALTER FOREIGN TABLE gt.ft ALTER COLUMN v TYPE varchar(10)'),
('ALTER FOREIGN TABLE gt.ft OPTIONS (ADD a ''b'')'),
('ALTER FOREIGN TABLE gt.ft RENAME TO ft2'),
('DROP FOREIGN TABLE gt.ft'),
-- partitions: attach with and without a proving CHECK, foreign keys
('ALTER TABLE gt.pt ATTACH PARTITION gt.pt_chk FOR VALUES FROM (500) TO (600)'),
('ALTER TABLE gt.pt ATTACH PARTITION gt.pt_chk2 FOR VALUES FROM (500) TO (600)'),
('ALTER TABLE gt.pt ATTACH PARTITION gt.pt_chk FOR VALUES FROM (550) TO (560)'),
('ALTER TABLE gt.pt ATTACH PARTITION gt.pt_nochk FOR VALUES FROM (500) TO (600)'),
('ALTER TABLE gt.lp ATTACH PARTITION gt.lp_chk FOR VALUES IN (3, 4)'),
('ALTER TABLE gt.lp ATTACH PARTITION gt.lp_chk FOR VALUES IN (3)'),
('ALTER TABLE gt.lp ATTACH PARTITION gt.lp_nochk FOR VALUES IN (3, 4)'),
('ALTER TABLE gt.lp ATTACH PARTITION gt.lp_nochk DEFAULT'),
('ALTER TABLE gt.lp DETACH PARTITION gt.lp_1'),
('CREATE TABLE gt.lp_new PARTITION OF gt.lp FOR VALUES IN (7)'),
('ALTER TABLE gt.pt DETACH PARTITION gt.pt_1'),
('ALTER TABLE gt.pt ADD PRIMARY KEY (id, k)'),
('ALTER TABLE gt.pt ADD CONSTRAINT pt_fk FOREIGN KEY (id, k) REFERENCES gt.fkp (id, k)'),
('ALTER TABLE gt.pt ALTER COLUMN k SET NOT NULL'),
('ALTER TABLE gt.pt ALTER COLUMN v SET DEFAULT ''x'''),
('ALTER TABLE gt.pt RENAME COLUMN v TO v2'),
('ALTER TABLE gt.pt RENAME TO pt9'),
('ALTER TABLE gt.pt_1 RENAME TO pt_one'),
('ALTER TABLE gt.pt ENABLE ROW LEVEL SECURITY'),
('ALTER TABLE gt.pt_1 SET (parallel_workers = 2)'),
('ALTER TABLE ONLY gt.pt ALTER COLUMN v SET STATISTICS 10'),
('CREATE INDEX ON gt.pt (id)'),
('CREATE UNIQUE INDEX ON gt.pt (id, k)'),
('DROP INDEX gt.pt_k_idx'),
('TRUNCATE gt.pt_1'),
('TRUNCATE gt.fkp CASCADE'),
('LOCK TABLE gt.pt_1'),
('CREATE TABLE gt.nt2 PARTITION OF gt.fkp FOR VALUES FROM (1000) TO (2000)'),
('CREATE TABLE gt.nt3 (id int, k int, FOREIGN KEY (id, k) REFERENCES gt.fkp)'),
('DROP TABLE gt.fkp CASCADE'),
-- more ALTER TABLE subcommands
('ALTER TABLE gt.t ALTER COLUMN a RESET (n_distinct)'),
('ALTER TABLE gt.t ALTER COLUMN b SET STORAGE MAIN'),
('ALTER TABLE gt.t NO FORCE ROW LEVEL SECURITY'),
('ALTER TABLE gt.t DISABLE ROW LEVEL SECURITY'),
('ALTER TABLE gt.t REPLICA IDENTITY NOTHING'),
('ALTER TABLE gt.t REPLICA IDENTITY DEFAULT'),
('ALTER TABLE gt.t ENABLE REPLICA TRIGGER t_trg'),
('ALTER TABLE gt.t ENABLE ALWAYS TRIGGER t_trg'),
('ALTER TABLE gt.t DISABLE TRIGGER USER'),
('ALTER TABLE gt.ser ALTER COLUMN id DROP DEFAULT'),
('ALTER TABLE gt.ser ALTER COLUMN id SET DEFAULT nextval(''gt.s'')'),
('ALTER TABLE gt.t ALTER COLUMN d TYPE bigint, ALTER COLUMN d SET DEFAULT 1'),
('ALTER TABLE gt.t ALTER COLUMN c SET DATA TYPE varchar(30) COLLATE "C"'),
('ALTER TABLE gt.t ALTER COLUMN c TYPE char(10)'),
('ALTER TABLE gt.t ALTER COLUMN a TYPE numeric'),
('ALTER TABLE gt.t ALTER COLUMN a TYPE int8 USING a'),
('ALTER TABLE gt.t ALTER COLUMN a TYPE oid'),
('ALTER TABLE gt.t ALTER COLUMN tz TYPE timestamptz(3)'),
('ALTER TABLE gt.t ADD COLUMN x int DEFAULT 0 NOT NULL, ADD COLUMN y text'),
('ALTER TABLE gt.t ADD COLUMN x text[] DEFAULT ''{}'''),
('ALTER TABLE gt.t ADD COLUMN x jsonb DEFAULT ''{}''::jsonb NOT NULL'),
('ALTER TABLE gt.t ADD COLUMN x date DEFAULT CURRENT_DATE'),
('ALTER TABLE gt.t ADD COLUMN x boolean DEFAULT false NOT NULL'),
('ALTER TABLE gt.lt ADD COLUMN x int PRIMARY KEY'),
('ALTER TABLE gt.t ADD COLUMN x gt.mood DEFAULT ''a'''),
('ALTER TABLE gt.big ADD CONSTRAINT pk2 PRIMARY KEY USING INDEX big_id_uidx'),
('ALTER TABLE gt.t DROP CONSTRAINT t_pkey CASCADE'),
('ALTER TABLE gt.t DROP CONSTRAINT IF EXISTS nope'),
('ALTER TABLE gt.t DROP COLUMN id CASCADE'),
('ALTER TABLE IF EXISTS gt.nope ADD COLUMN x int'),
('ALTER TABLE gt.child_nv ADD CONSTRAINT fk2 FOREIGN KEY (t_id) REFERENCES gt.t (id) ON DELETE CASCADE NOT VALID'),
('ALTER TABLE gt.lt OF gt.comp'),
-- statistics, grants, other drops
('DROP STATISTICS gt.t_stats'),
('ALTER STATISTICS gt.t_stats SET STATISTICS 10'),
('GRANT SELECT ON ALL TABLES IN SCHEMA gt TO PUBLIC'),
('GRANT UPDATE (a) ON gt.t TO PUBLIC'),
('DROP VIEW gt.v CASCADE'),
('DROP VIEW gt.v2'),
('DROP TYPE gt.mood'),
('DROP FUNCTION gt.spare()'),
('DROP TABLE gt.child, gt.child_nv'),
('CREATE TABLE gt.nt (id int PRIMARY KEY, t_id int REFERENCES gt.t ON DELETE CASCADE)'),
('CREATE TABLE IF NOT EXISTS gt.t (id int)'),
('CREATE UNLOGGED TABLE gt.nt (LIKE gt.pt INCLUDING INDEXES)'),
('CREATE TEMP TABLE nt AS SELECT * FROM gt.ref'),
('CREATE MATERIALIZED VIEW gt.nmv AS SELECT 1 AS x WITH NO DATA'),
('CREATE VIEW gt.nv AS WITH r AS (SELECT * FROM gt.ref) SELECT * FROM r JOIN gt.big USING (id)'),
('CREATE TRIGGER t3 INSTEAD OF INSERT ON gt.v FOR EACH ROW EXECUTE FUNCTION gt.trg()'),
('CREATE TRIGGER t4 AFTER TRUNCATE ON gt.t FOR EACH STATEMENT EXECUTE FUNCTION gt.trg()'),
('CREATE CONSTRAINT TRIGGER t5 AFTER INSERT ON gt.t FROM gt.ref FOR EACH ROW EXECUTE FUNCTION gt.trg()'),
('CREATE OR REPLACE TRIGGER t_trg BEFORE UPDATE ON gt.t FOR EACH ROW EXECUTE FUNCTION gt.trg()'),
('CREATE POLICY p3 ON gt.pt USING (true)'),
('CREATE STATISTICS IF NOT EXISTS gt.t_stats ON a, g FROM gt.t'),
('COMMENT ON MATERIALIZED VIEW gt.mv IS ''x'''),
('COMMENT ON SEQUENCE gt.s IS ''x'''),
('COMMENT ON FOREIGN TABLE gt.ft IS ''x'''),
('COMMENT ON TYPE gt.mood IS ''x'''),
('COMMENT ON SCHEMA gt IS ''x'''),
('REINDEX INDEX gt.mv_id'),
('CLUSTER gt.mv USING mv_id'),
('ANALYZE gt.t (a, b)'),
('ANALYZE'),
('LOCK TABLE gt.v2 IN SHARE MODE'),
('LOCK gt.t, gt.ref IN ROW SHARE MODE NOWAIT'),
-- more type changes
('ALTER TABLE gt.t ALTER COLUMN b TYPE varchar'),
('ALTER TABLE gt.ref ALTER COLUMN code TYPE varchar(50)'),
('ALTER TABLE gt.ref ALTER COLUMN code TYPE varchar'),
('ALTER TABLE gt.child ALTER COLUMN t_id TYPE bigint'),
('ALTER TABLE gt.dom ALTER COLUMN p TYPE int'),
('ALTER TABLE gt.dom ALTER COLUMN id TYPE gt.posint'),
('ALTER TABLE gt.t ALTER COLUMN a TYPE smallint'),
('ALTER TABLE gt.t ALTER COLUMN c TYPE varchar(10)'),
('ALTER TABLE gt.t ALTER COLUMN e TYPE varchar COLLATE "C"'),
('ALTER TABLE gt.t ALTER COLUMN a TYPE bigint, ALTER COLUMN d TYPE bigint'),
('ALTER TABLE gt.t ALTER COLUMN c TYPE varchar(40) USING c::varchar(40)'),
('ALTER TABLE gt.t ALTER COLUMN ts TYPE date'),
-- more indexes
('CREATE INDEX ON gt.t USING hash (b)'),
('CREATE INDEX ON gt.t USING gin (to_tsvector(''simple'', b))'),
('CREATE INDEX ON gt.t (a) INCLUDE (b)'),
('CREATE INDEX ON gt.t (a DESC NULLS LAST)'),
('CREATE INDEX ON gt.t ((a + 1))'),
('CREATE INDEX ON gt.t (a) WITH (fillfactor = 70) TABLESPACE pg_default'),
('CREATE UNIQUE INDEX ON gt.ref (code) WHERE id > 0'),
('DROP INDEX gt.t_a_idx CASCADE'),
('REINDEX TABLE gt.pt_1'),
('REINDEX INDEX gt.t_pkey'),
-- more constraints and columns
('ALTER TABLE gt.t ADD CONSTRAINT ux UNIQUE (a) DEFERRABLE INITIALLY DEFERRED'),
('ALTER TABLE gt.t ADD COLUMN x int DEFAULT 1 REFERENCES gt.ref (id)'),
('ALTER TABLE gt.t ALTER COLUMN ref_id SET NOT NULL'),
('ALTER TABLE gt.big ALTER COLUMN x SET NOT NULL'),
('ALTER TABLE gt.t ALTER CONSTRAINT t_ref_id_fkey DEFERRABLE INITIALLY DEFERRED'),
('ALTER TABLE gt.t RENAME CONSTRAINT t_pkey TO t_pk'),
('ALTER INDEX gt.t_pkey RENAME TO t_pk'),
('ALTER TABLE gt.t ADD COLUMN x int, DROP COLUMN e'),
('ALTER TABLE gt.inh_c ALTER COLUMN v SET DEFAULT 1'),
-- more drops and creates
('DROP TABLE gt.ref CASCADE'),
('DROP MATERIALIZED VIEW IF EXISTS gt.mv'),
('DROP SEQUENCE gt.ser_id_seq CASCADE'),
('DROP TYPE gt.mood CASCADE'),
('TRUNCATE gt.t, gt.child, gt.child_nv'),
('CREATE SEQUENCE gt.s2 OWNED BY gt.t.a'),
('CREATE TABLE gt.nt (id int) INHERITS (gt.inh, gt.lt)'),
('COMMENT ON COLUMN gt.v.f IS ''x'''),
('COMMENT ON INDEX gt.t_pkey IS NULL'),
-- drops of non-relation objects that take relations along
('DROP FUNCTION gt.trg() CASCADE'),
('DROP DOMAIN gt.posint CASCADE'),
('DROP TYPE gt.comp'),
('DROP TYPE gt.mood'),
('DROP SCHEMA gt2 CASCADE'),
-- recursion to partitions and inheritance children
('ALTER TABLE gt.pt ALTER COLUMN v SET STATISTICS 50'),
('ALTER TABLE gt.pt ALTER COLUMN v SET STORAGE EXTERNAL'),
('ALTER TABLE gt.pt ALTER COLUMN v SET COMPRESSION pglz'),
('ALTER TABLE gt.pt ALTER COLUMN v SET (n_distinct = 5)'),
('ALTER TABLE gt.pt ALTER COLUMN v DROP DEFAULT'),
('ALTER TABLE gt.pt ALTER COLUMN k DROP NOT NULL'),
('ALTER TABLE gt.pv VALIDATE CONSTRAINT pv_k_nn'),
('ALTER TABLE gt.pv DROP CONSTRAINT pv_k_nn'),
('ALTER TABLE gt.pv RENAME CONSTRAINT pv_k_nn TO pv_k_nn2'),
('ALTER TABLE gt.pt ADD CONSTRAINT pt_u UNIQUE (id, k)'),
('ALTER TABLE gt.pt DISABLE TRIGGER pt_trg'),
('ALTER TABLE gt.pt DISABLE TRIGGER ALL'),
('ALTER TABLE gt.pt OWNER TO CURRENT_USER'),
('ALTER TABLE gt.pt REPLICA IDENTITY FULL'),
('ALTER TABLE gt.pt SET SCHEMA public'),
('ALTER TABLE gt.pt ADD COLUMN x int NOT NULL DEFAULT 0'),
('ALTER TABLE gt.pt DROP COLUMN id'),
('ALTER TABLE ONLY gt.pt ALTER COLUMN v SET DEFAULT ''y'''),
('ALTER TABLE gt.iv VALIDATE CONSTRAINT iv_v_pos'),
('ALTER TABLE gt.iv DROP CONSTRAINT iv_v_pos'),
('ALTER TABLE ONLY gt.iv DROP CONSTRAINT iv_v_pos'),
('ALTER TABLE gt.inh ADD PRIMARY KEY (id)'),
('ALTER TABLE ONLY gt.inh ADD PRIMARY KEY (id)'),
('ALTER TABLE gt.inh ALTER COLUMN v SET STORAGE PLAIN'),
('ALTER TABLE gt.inh ALTER COLUMN v DROP NOT NULL'),
('ALTER TABLE gt.inh RENAME TO inh2'),
('ALTER TABLE gt.inh OWNER TO CURRENT_USER'),
('ALTER TABLE gt.inh ADD CONSTRAINT inh_u UNIQUE (id)'),
('DROP TRIGGER pt_trg ON gt.pt'),
('ALTER TRIGGER pt_trg ON gt.pt RENAME TO pt_trg2'),
('COMMENT ON TRIGGER pt_trg ON gt.pt IS ''x'''),
('CREATE RULE r3 AS ON INSERT TO gt.t DO ALSO NOTIFY t'),
('CREATE STATISTICS gt.st2 ON id, k FROM gt.pt'),
('ANALYZE gt.pt_1'),
('LOCK TABLE gt.inh_c IN ACCESS EXCLUSIVE MODE'),
-- sequences that follow their table, queries inside DDL
('ALTER TABLE gt.ser SET UNLOGGED'),
('ALTER TABLE gt.ser SET SCHEMA public'),
('ALTER TABLE gt.ser RENAME TO ser2'),
('CREATE MATERIALIZED VIEW gt.nmv2 AS SELECT * FROM gt.t WITH NO DATA'),
('CREATE TABLE gt.nt4 AS SELECT * FROM gt.t WITH NO DATA'),
('CREATE RULE r4 AS ON INSERT TO gt.v DO ALSO INSERT INTO gt.lt VALUES (1, 1)'),
('CREATE RULE r5 AS ON UPDATE TO gt.v DO INSTEAD SELECT * FROM gt.ref'),
('CREATE POLICY p4 ON gt.t USING (EXISTS (SELECT 1 FROM gt.ref WHERE ref.id = t.ref_id))'),
('CREATE POLICY p5 ON gt.t FOR INSERT WITH CHECK (a IN (SELECT id FROM gt.big))'),
('CREATE TABLE gt.nt5 (id int DEFAULT nextval(''gt.s''), v int)'),
('CREATE VIEW gt.nv3 AS SELECT * FROM gt.t WHERE a IN (SELECT id FROM gt.big)'),
('CREATE TRIGGER t6 BEFORE INSERT ON gt.t FOR EACH ROW WHEN (NEW.a > 0) EXECUTE FUNCTION gt.trg()'),
-- NOT NULL without a default: fails on rows, so on an empty table
('ALTER TABLE gt.lt ADD COLUMN x int NOT NULL'),
('ALTER TABLE gt.lt ADD COLUMN x int NOT NULL, ADD COLUMN y int DEFAULT 0'),
('ALTER TABLE gt.lt ADD COLUMN x int CHECK (x > 0)'),
('ALTER TABLE gt.lt ADD COLUMN x int DEFAULT 5 CHECK (x > 0)'),
('ALTER TABLE gt.lt ALTER COLUMN v SET NOT NULL'),
-- type changes of columns with CHECK constraints
('ALTER TABLE gt.cv ALTER COLUMN c TYPE varchar(20)'),
('ALTER TABLE gt.cv ALTER COLUMN c TYPE text'),
('ALTER TABLE gt.cv ALTER COLUMN n TYPE numeric(10, 2)'),
('ALTER TABLE gt.cv ALTER COLUMN id TYPE bigint'),
-- DROP COLUMN CASCADE takes dependent views and constraints along
('ALTER TABLE gt.t DROP COLUMN f CASCADE'),
('ALTER TABLE gt.t DROP COLUMN id CASCADE'),
('ALTER TABLE gt.ref DROP COLUMN id CASCADE'),
-- odds and ends
('ALTER VIEW gt.v RENAME COLUMN f TO f2'),
('ALTER MATERIALIZED VIEW gt.mv RENAME COLUMN a TO a2'),
('ALTER MATERIALIZED VIEW gt.mv RENAME TO mv3'),
('ALTER INDEX gt.t_a_idx RESET (fillfactor)'),
('ALTER TABLE gt.t ALTER COLUMN a SET STATISTICS -1'),
('ALTER TABLE gt.t ALTER COLUMN b DROP EXPRESSION IF EXISTS'),
('ALTER TABLE gt.ser ALTER COLUMN y SET NOT NULL, ALTER COLUMN y ADD GENERATED ALWAYS AS IDENTITY (START 10)'),
('ALTER TABLE gt.t VALIDATE CONSTRAINT t_ref_id_fkey'),
('ALTER TABLE gt.t ALTER COLUMN g SET DEFAULT 0, ALTER COLUMN a DROP DEFAULT, ALTER COLUMN c SET STORAGE EXTENDED'),
('ALTER TABLE gt.t ADD COLUMN x int, ADD COLUMN y int DEFAULT random()::int, ADD CONSTRAINT cx CHECK (a > 0) NOT VALID'),
('DROP INDEX gt.t_a_idx, gt.big_x'),
('DROP TABLE gt.lt, gt.un'),
('TRUNCATE gt.lt, gt.un RESTART IDENTITY'),
('CREATE INDEX IF NOT EXISTS new_idx ON gt.t (g)'),
('COMMENT ON COLUMN gt.mv.a IS ''x'''),
-- an index named through its constraint or by the subcommand is locked
('ALTER TABLE gt.ref DROP CONSTRAINT ref_code_key'),
('ALTER TABLE gt.fkp DROP CONSTRAINT fkp_pkey CASCADE'),
('ALTER TABLE gt.ref RENAME CONSTRAINT ref_code_key TO ref_code_uq'),
('ALTER TABLE gt.t RENAME CONSTRAINT t_b_nn TO t_b_not_null'),
('ALTER TABLE gt.ref REPLICA IDENTITY USING INDEX ref_pkey'),
('ALTER TABLE gt.big CLUSTER ON big_x'),
-- validating a foreign key reads the referenced table too
('ALTER TABLE gt.fkc VALIDATE CONSTRAINT fkc_fk'),
('ALTER TABLE gt.child_nv ADD CONSTRAINT fk3 FOREIGN KEY (t_id) REFERENCES gt.t (id)'),
('ALTER TABLE gt.fkc ADD CONSTRAINT fk4 FOREIGN KEY (id, k) REFERENCES gt.fkp (id, k)'),
-- ANALYZE reads a table whole when it has no more blocks than its sample
-- has rows (300 x the largest statistics target of the columns analysed)
('ANALYZE gt.wide'),
('ANALYZE gt.wide (id)'),
('ANALYZE gt.wide (pad)'),
('ANALYZE gt.wide (pad, id)'),
('ANALYZE gt.big (x)'),
-- a table renamed (or moved) earlier in the same migration
('ALTER TABLE gt.big RENAME TO big2; ALTER TABLE gt.big2 ADD COLUMN z float8 DEFAULT random()'),
('ALTER TABLE gt.big RENAME TO big2; CREATE INDEX ON gt.big2 (id)'),
('ALTER TABLE gt.big RENAME TO big2; ALTER TABLE gt.big2 RENAME TO big3; TRUNCATE gt.big3'),
('ALTER TABLE gt.big SET SCHEMA gt2; ALTER TABLE gt2.big ALTER COLUMN x TYPE bigint'),
('ALTER INDEX gt.big_x RENAME TO big_x2; REINDEX INDEX gt.big_x2'),
('ALTER TABLE gt.pt_1 RENAME TO pt_one; ALTER TABLE gt.pt DETACH PARTITION gt.pt_one'),
-- data changes in a migration: ROW EXCLUSIVE on the target, and what
-- they read
('UPDATE gt.t SET g = 0 WHERE g IS NULL'),
('UPDATE gt.t SET g = 0 WHERE g IS NULL; ALTER TABLE gt.t ALTER COLUMN g SET NOT NULL'),
('UPDATE gt.dml SET w = 0'),
('UPDATE gt.dml SET w = 0 WHERE id = 10'),
('UPDATE gt.dml SET w = 0 WHERE id IN (1, 2, 3)'),
('UPDATE gt.dml SET w = 0 WHERE v = 3'),
('UPDATE gt.dml d SET w = b.x FROM gt.big b WHERE b.id = d.v'),
('UPDATE gt.dml SET w = 1 WHERE v IN (SELECT x FROM gt.big)'),
('DELETE FROM gt.dml WHERE id = 7'),
('DELETE FROM gt.dml WHERE w > 4000'),
('DELETE FROM gt.dml'),
('DELETE FROM gt.dml d USING gt.big b WHERE b.id = d.id'),
('INSERT INTO gt.dml VALUES (6000, 1, 1)'),
('INSERT INTO gt.lt SELECT id, a FROM gt.t'),
('INSERT INTO gt.big SELECT id + 1000, x FROM gt.big'),
('INSERT INTO gt.lt (id) SELECT id FROM gt.big WHERE x < 10'),
('INSERT INTO gt.dml SELECT id + 10000, x, x FROM gt.big ON CONFLICT (id) DO NOTHING'),
('UPDATE gt.pt SET v = ''y'''),
('WITH d AS (DELETE FROM gt.big RETURNING id) INSERT INTO gt.lt SELECT id, 0 FROM d'),
('CREATE TABLE gt.nt9 (id int, v int); INSERT INTO gt.nt9 SELECT id, x FROM gt.big; UPDATE gt.nt9 SET v = 0'),
-- foreign keys: an inserted row is checked in the referenced table (ROW
-- SHARE, through its key); a deleted one is looked for in the referencing
-- table (ROW SHARE, read whole: no index on its column)
('INSERT INTO gt.dmlc VALUES (1, 10)'),
('UPDATE gt.dml SET id = id + 100000 WHERE id = 5'),
('MERGE INTO gt.dml d USING gt.big b ON d.id = b.id WHEN MATCHED THEN UPDATE SET w = b.x');


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

-- PostgreSQL 19: REPACK, with the index it orders by (gt.big is clustered
-- on big_x); the same output on every version
SELECT s.stmt, m.relation, m.what, m.predicted, m.observed
  FROM (VALUES ('REPACK gt.t USING INDEX t_a_idx'),
			   ('REPACK gt.big USING INDEX'),
			   ('REPACK gt.big')) s(stmt),
	   LATERAL gt.compare(s.stmt) m
 WHERE current_setting('server_version_num')::int >= 190000;

-- moving everything to another tablespace (an in-place one, for the test)
SET allow_in_place_tablespaces = on;
CREATE TABLESPACE gt_space LOCATION '';
SELECT * FROM gt.compare('ALTER TABLE ALL IN TABLESPACE pg_default SET TABLESPACE gt_space');
SELECT * FROM gt.compare('ALTER INDEX ALL IN TABLESPACE pg_default SET TABLESPACE gt_space');
SELECT * FROM gt.compare('ALTER MATERIALIZED VIEW ALL IN TABLESPACE pg_default OWNED BY CURRENT_USER SET TABLESPACE gt_space');
SELECT * FROM gt.compare('ALTER TABLE gt.t SET TABLESPACE gt_space');
SELECT * FROM gt.compare('ALTER INDEX gt.t_a_idx SET TABLESPACE gt_space');
SELECT * FROM gt.compare('ALTER MATERIALIZED VIEW gt.mv SET TABLESPACE gt_space');
DROP TABLESPACE gt_space;
RESET allow_in_place_tablespaces;

-- timestamp <-> timestamptz is a rewrite except when the session time zone
-- is UTC (pg_regress runs in PST8PDT: above, both were rewrites)
SET TimeZone = 'UTC';
SELECT * FROM gt.compare('ALTER TABLE gt.t ALTER COLUMN ts TYPE timestamptz');
SELECT * FROM gt.compare('ALTER TABLE gt.t ALTER COLUMN tz TYPE timestamp');
SELECT rewrites_table FROM safe_ddl.check('ALTER TABLE gt.t ALTER COLUMN ts TYPE timestamptz');
RESET TimeZone;
