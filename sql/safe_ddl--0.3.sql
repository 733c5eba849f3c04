/* safe_ddl--0.3.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION safe_ddl" to load this file. \quit

CREATE FUNCTION safe_ddl.version()
RETURNS text
AS 'MODULE_PATHNAME', 'safe_ddl_version'
LANGUAGE C STRICT STABLE PARALLEL SAFE;

COMMENT ON FUNCTION safe_ddl.version() IS
'version of the loaded safe_ddl library; fails unless safe_ddl is in shared_preload_libraries';

-- >>> lock_log (issue #6) -------------------------------------------------
-- The durable lock log.  Rows are written by the "safe_ddl log writer"
-- background worker into the table of the database named by
-- safe_ddl.database only; see docs/lock-log.md.

-- Application roles read the views (and their own rows) through this schema.
GRANT USAGE ON SCHEMA safe_ddl TO PUBLIC;

CREATE TABLE safe_ddl.lock_log (
    id               bigserial PRIMARY KEY,
    logged_at        timestamptz NOT NULL,
    database         text NOT NULL,
    username         text NOT NULL,
    application_name text,
    pid              integer NOT NULL,
    command          text,
    statement        text,
    relations        jsonb,
    lock_mode        text,
    lock_wait_ms     double precision,
    attempts         integer,
    duration_ms      double precision,
    outcome          text NOT NULL,
    rule             text,
    rewritten_to     text,
    blockers         jsonb,
    sqlstate         text,
    error            text
);

COMMENT ON TABLE safe_ddl.lock_log IS
'every DDL statement safe_ddl intercepted in any database of the cluster, with its lock waits and outcome; filled only in the database named by safe_ddl.database';
COMMENT ON COLUMN safe_ddl.lock_log.relations IS
'JSON array of {"relation": "schema.name", "lock_mode": "AccessExclusiveLock"}';
COMMENT ON COLUMN safe_ddl.lock_log.outcome IS
'allowed, warned, rewritten, rejected, lock_timeout, failed, override, terminated (the session ended during the statement), unchecked (safe_ddl could not analyse it and let it through unchanged), hold_cancelled or hold_terminated (safe_ddl.lock_hold_budget ended the transaction that held the lock)';
COMMENT ON COLUMN safe_ddl.lock_log.blockers IS
'JSON array of the sessions seen blocking the statement (pid, application name, query start, transaction age, query prefix)';

-- The log writer takes ids 32 at a time (one sequence update, not one per
-- row); ids are unique but not in the order rows were written.
ALTER SEQUENCE safe_ddl.lock_log_id_seq CACHE 32;

-- holdcost: one BRIN index on logged_at, not a B-tree on it and a GIN
-- index on relations.  The writer appends rows in time order, so a block
-- range summary finds a time window as well as a B-tree does, and adding a
-- row to the range being filled costs one look at the range map; the two
-- indexes it replaces cost the writer half its instructions per row
-- (BENCHMARKS.md, "Cost of the lock log").  A search by relation is
-- filtered inside a time window (docs/lock-log.md).  Same text in
-- safe_ddl--0.2--0.3.sql.
CREATE INDEX lock_log_logged_at_idx ON safe_ddl.lock_log
    USING brin (logged_at) WITH (autosummarize = on);
-- The build summarizes the range holding the table's last block even when
-- it is not full (the first, empty one of a new table), and every row
-- appended to a summarized range rewrites its summary.  Unsummarized, the
-- range costs an insert nothing; autosummarize summarizes it once the rows
-- have moved on to the next range.
SELECT pg_catalog.brin_desummarize_range('safe_ddl.lock_log_logged_at_idx',
    GREATEST(pg_catalog.pg_relation_size('safe_ddl.lock_log') /
        pg_catalog.current_setting('block_size')::bigint - 1, 0));

-- Nobody but the owner (a superuser) and the worker writes; everyone may
-- read, and row level security shows a role its own statements only,
-- unless it is a member of pg_read_all_stats.
REVOKE ALL ON safe_ddl.lock_log FROM PUBLIC;
REVOKE ALL ON SEQUENCE safe_ddl.lock_log_id_seq FROM PUBLIC;
GRANT SELECT ON safe_ddl.lock_log TO PUBLIC;
ALTER TABLE safe_ddl.lock_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY lock_log_own_rows ON safe_ddl.lock_log FOR SELECT
    USING (username OPERATOR(pg_catalog.=) CURRENT_USER::text
           OR pg_catalog.pg_has_role(CURRENT_USER, 'pg_read_all_stats', 'USAGE'));

-- pg_dump keeps the rows (and the sequence position).
SELECT pg_catalog.pg_extension_config_dump('safe_ddl.lock_log', '');
SELECT pg_catalog.pg_extension_config_dump('safe_ddl.lock_log_id_seq', '');

-- Views.  They are owned by a superuser, which row level security does not
-- restrict, so they repeat the policy themselves; security_barrier keeps a
-- caller's functions from seeing rows the filter removes.
CREATE VIEW safe_ddl.recent_events WITH (security_barrier) AS
SELECT id, logged_at, database, username, application_name, pid, command,
       statement, relations, lock_mode, lock_wait_ms, attempts, duration_ms,
       outcome, rule, rewritten_to, blockers, sqlstate, error
  FROM safe_ddl.lock_log
 WHERE logged_at OPERATOR(pg_catalog.>=)
       (pg_catalog.now() OPERATOR(pg_catalog.-) interval '7 days')
   AND (username OPERATOR(pg_catalog.=) CURRENT_USER::text
        OR pg_catalog.pg_has_role(CURRENT_USER, 'pg_read_all_stats', 'USAGE'))
 ORDER BY logged_at DESC, id DESC;

COMMENT ON VIEW safe_ddl.recent_events IS
'lock log rows of the last 7 days, newest first';

CREATE VIEW safe_ddl.relation_summary WITH (security_barrier) AS
SELECT r.value OPERATOR(pg_catalog.->>) 'relation' AS relation,
       pg_catalog.count(*) AS events,
       pg_catalog.sum(l.lock_wait_ms) AS total_wait_ms,
       pg_catalog.max(l.lock_wait_ms) AS max_wait_ms,
       pg_catalog.count(*) FILTER (WHERE l.outcome OPERATOR(pg_catalog.=) 'rejected') AS rejections,
       pg_catalog.count(*) FILTER (WHERE l.outcome OPERATOR(pg_catalog.=) 'lock_timeout') AS lock_timeouts,
       pg_catalog.count(*) FILTER (WHERE l.outcome OPERATOR(pg_catalog.=) 'failed') AS failures,
       pg_catalog.max(l.logged_at) AS last_seen
  FROM safe_ddl.lock_log l,
       LATERAL pg_catalog.jsonb_array_elements(
           CASE WHEN pg_catalog.jsonb_typeof(l.relations) OPERATOR(pg_catalog.=) 'array'
                THEN l.relations ELSE '[]'::pg_catalog.jsonb END) r
 WHERE l.username OPERATOR(pg_catalog.=) CURRENT_USER::text
    OR pg_catalog.pg_has_role(CURRENT_USER, 'pg_read_all_stats', 'USAGE')
 GROUP BY 1;

COMMENT ON VIEW safe_ddl.relation_summary IS
'per relation: how many logged statements touched it, their total and longest lock wait, rejections, lock timeouts, failures, and when it was last seen';

GRANT SELECT ON safe_ddl.recent_events, safe_ddl.relation_summary TO PUBLIC;

CREATE FUNCTION safe_ddl.log_status(
    OUT buffered bigint,
    OUT dropped bigint,
    OUT written bigint,
    OUT last_flush timestamptz,
    OUT database text,
    OUT worker_pid integer,
    OUT table_ready boolean,
    OUT lost bigint,
    OUT recovered bigint)
RETURNS record
AS 'MODULE_PATHNAME', 'safe_ddl_log_status'
LANGUAGE C STRICT VOLATILE PARALLEL SAFE;

COMMENT ON FUNCTION safe_ddl.log_status() IS
'events waiting in shared memory, events dropped (buffer full, or unwritable), rows written, time of the last write, the database written to, the writer''s pid, whether it found safe_ddl.lock_log there, events lost in crashes and immediate shutdowns, and events saved then and written after the restart; the counters survive restarts';

CREATE FUNCTION safe_ddl.purge_log(older_than interval)
RETURNS bigint
LANGUAGE sql STRICT VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
    WITH purged AS (
        DELETE FROM safe_ddl.lock_log
         WHERE logged_at OPERATOR(pg_catalog.<)
               (pg_catalog.now() OPERATOR(pg_catalog.-) older_than)
        RETURNING 1)
    SELECT pg_catalog.count(*) FROM purged
$$;

REVOKE ALL ON FUNCTION safe_ddl.purge_log(interval) FROM PUBLIC;

COMMENT ON FUNCTION safe_ddl.purge_log(interval) IS
'delete lock log rows older than the given age; returns how many';
-- <<< lock_log (issue #6) -------------------------------------------------
-- ---------------------------------------------------------------------
-- safe_ddl.check and safe_ddl.rules (analysis layer, src/check.c)
-- ---------------------------------------------------------------------

CREATE FUNCTION safe_ddl.check(sql text)
RETURNS TABLE (statement_no int, command text, relation regclass,
               lock_mode text, rewrites_table bool, scans_table bool,
               action text, rule text, message text, hint text)
AS 'MODULE_PATHNAME', 'safe_ddl_check'
LANGUAGE C STRICT VOLATILE;

COMMENT ON FUNCTION safe_ddl.check(text) IS
'analyse SQL without executing it: per statement and relation, the lock it takes, whether it rewrites or scans, and what safe_ddl would do';

CREATE FUNCTION safe_ddl.rules_list(OUT name text, OUT description text,
                                    OUT typical_lock text,
                                    OUT default_action text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'safe_ddl_rules'
LANGUAGE C STRICT STABLE;

CREATE VIEW safe_ddl.rules AS
  SELECT name, description, typical_lock, default_action
    FROM safe_ddl.rules_list();

COMMENT ON VIEW safe_ddl.rules IS
'the risks safe_ddl names and detects, with the lock at risk and the default action';

GRANT SELECT ON safe_ddl.rules TO PUBLIC;
CREATE FUNCTION safe_ddl.analysis_facts(sql text)
RETURNS TABLE (statement_no int, relation text, relkind text, is_new bool,
               held_mode text, reltuples float8, relpages bigint, bytes bigint,
               concurrent bool, rules text[])
AS 'MODULE_PATHNAME', 'safe_ddl_analysis_facts'
LANGUAGE C STRICT VOLATILE;

COMMENT ON FUNCTION safe_ddl.analysis_facts(text) IS
'the catalog facts behind check(): per statement and relation, whether it is new, the lock this transaction already holds, its size, and every rule found';
-- end of safe_ddl.check and safe_ddl.rules

-- >>> check_report (issue #14, packaging branch) -----------------------
-- When merging: this section goes at the end of both
-- sql/safe_ddl--0.1--0.2.sql and sql/safe_ddl--0.2.sql, unchanged.

-- safe_ddl.check() as text for CI logs: one line per finding, starting with
-- the action so that "grep '^reject'" fails a job, empty when safe_ddl has
-- nothing to say.  No finding: a relation a statement touches without a
-- rule of its own (the referenced table of a foreign key), and the data
-- changes migration tools add (UPDATE alembic_version), which safe_ddl lets
-- through unanalysed.  The statement quoted in a hint loses the comment
-- lines the tool printed before it.  Hint lines meant for one migration tool ("Django: ...")
-- are left out unless that tool is named.  No SET search_path: check()
-- resolves the migration's unqualified names with the caller's, as the
-- migration itself will.
CREATE FUNCTION safe_ddl.check_report(sql text, framework text DEFAULT NULL)
RETURNS text
LANGUAGE sql VOLATILE
AS $report$
SELECT coalesce(pg_catalog.string_agg(f.line, E'\n' ORDER BY f.statement_no, f.rel, f.rule), '')
  FROM (SELECT c.statement_no, c.relation::text AS rel, c.rule,
               pg_catalog.format('%s: statement %s (%s)%s%s%s%s%s',
                   c.action, c.statement_no, c.command,
                   ' on ' || c.relation::text,
                   ', ' || c.lock_mode,
                   ', rule ' || c.rule,
                   ': ' || c.message,
                   '. HINT: ' || (SELECT pg_catalog.string_agg(h.l, ' ' ORDER BY h.i)
                                   FROM pg_catalog.unnest(pg_catalog.string_to_array(c.hint, E'\n'))
                                        WITH ORDINALITY AS h(l, i)
                                  WHERE h.l !~ '^\s*(--.*)?$'
                                    AND (h.l !~ '^[A-Z][A-Za-z]*: '
                                         OR pg_catalog.lower(pg_catalog.split_part(h.l, ':', 1))
                                            = pg_catalog.lower(framework)))) AS line
          FROM safe_ddl.check(sql) AS c
         WHERE (c.message IS NOT NULL
                AND NOT (c.action = 'allow'
                         AND c.command IN ('SELECT', 'INSERT', 'UPDATE', 'DELETE', 'MERGE')))
            OR (c.action <> 'allow' AND c.rule IS NOT NULL)) AS f
$report$;

COMMENT ON FUNCTION safe_ddl.check_report(text, text) IS
'check() as text for CI: one line per finding (action, statement, relation, lock, rule, message, hint), empty when there is nothing to say';
-- <<< check_report -----------------------------------------------------

-- >>> deferred online builds (issue #13): the queue ------------------------
-- With safe_ddl.defer set, a CREATE INDEX or a constraint validation that
-- would be refused inside a transaction block on a big table is queued here,
-- inside the client's transaction (a rolled-back migration queues nothing),
-- and built online after commit by this database's deferred-build worker.
-- See docs/deferred-builds.md.
CREATE TABLE safe_ddl.deferred_queue (
    id               bigserial PRIMARY KEY,
    kind             text NOT NULL CHECK (kind IN ('index', 'validation')),
    relid            oid NOT NULL,
    relation         text NOT NULL,
    object_name      text NOT NULL,
    statement        text NOT NULL,
    original         text NOT NULL,
    queued_by        text NOT NULL DEFAULT CURRENT_USER,
    application_name text,
    queued_at        timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    queued_xid       xid8 NOT NULL DEFAULT pg_catalog.pg_current_xact_id(),
    state            text NOT NULL DEFAULT 'queued'
        CHECK (state IN ('queued', 'running', 'done', 'failed', 'paused', 'cancelled')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz,
    started_at       timestamptz,
    finished_at      timestamptz,
    worker_pid       integer,
    last_sqlstate    text,
    last_error       text
);

COMMENT ON TABLE safe_ddl.deferred_queue IS
'deferred online builds of this database: CREATE INDEX CONCURRENTLY and VALIDATE CONSTRAINT statements queued by migrations under safe_ddl.defer and run after commit by the deferred-build worker';
COMMENT ON COLUMN safe_ddl.deferred_queue.relid IS
'the table the index or constraint belongs to (pg_class oid)';
COMMENT ON COLUMN safe_ddl.deferred_queue.relation IS
'the table, schema-qualified and quoted, when the item was queued';
COMMENT ON COLUMN safe_ddl.deferred_queue.object_name IS
'the index name (in the table''s schema) or the constraint name';
COMMENT ON COLUMN safe_ddl.deferred_queue.statement IS
'what the worker runs: CREATE INDEX CONCURRENTLY ... or ALTER TABLE ... VALIDATE CONSTRAINT ...';
COMMENT ON COLUMN safe_ddl.deferred_queue.original IS
'the statement as the client sent it';
COMMENT ON COLUMN safe_ddl.deferred_queue.state IS
'queued, running, done, failed (permanently: see last_error), paused or cancelled (by a DBA)';

-- Items the worker looks for, and items a later statement may depend on.
CREATE INDEX deferred_queue_pending_idx ON safe_ddl.deferred_queue (relid)
    WHERE state IN ('queued', 'running', 'paused');
-- One pending build per index name and one pending validation per
-- constraint of a table.
CREATE UNIQUE INDEX deferred_queue_object_idx
    ON safe_ddl.deferred_queue (relid, kind, object_name)
    WHERE state IN ('queued', 'running', 'paused');

-- Only safe_ddl itself (running as the owner) writes; see the views and
-- functions below for what other roles may see and do.
REVOKE ALL ON safe_ddl.deferred_queue FROM PUBLIC;
REVOKE ALL ON SEQUENCE safe_ddl.deferred_queue_id_seq FROM PUBLIC;

-- >>> deferred online builds: statement side (views, DBA controls) ---------
-- defer-stmt: the schemas the client's search_path resolved to when the item
-- was queued; the worker runs the statement with this search_path, since a
-- deferred CREATE INDEX keeps the client's text (unqualified functions,
-- operator classes, collations).
ALTER TABLE safe_ddl.deferred_queue ADD COLUMN search_path text;
COMMENT ON COLUMN safe_ddl.deferred_queue.search_path IS
'the search_path to run the statement with: the schemas the client''s search_path resolved to when it was queued';

-- defer-stmt: the queue as users see it, with the progress of a running build
CREATE VIEW safe_ddl.deferred AS
SELECT q.id, q.kind,
       pg_catalog.current_database()::text AS database,
       q.relation, q.object_name, q.statement, q.original,
       q.queued_by, q.application_name, q.state, q.attempts,
       q.last_sqlstate, q.last_error,
       q.queued_at, q.next_attempt_at, q.started_at, q.finished_at,
       q.worker_pid,
       p.phase, p.blocks_done, p.blocks_total, p.tuples_done, p.tuples_total
  FROM safe_ddl.deferred_queue q
  LEFT JOIN pg_catalog.pg_stat_progress_create_index p
    ON q.state OPERATOR(pg_catalog.=) 'running'
   AND p.pid OPERATOR(pg_catalog.=) q.worker_pid;
COMMENT ON VIEW safe_ddl.deferred IS
'the deferred online builds of this database (safe_ddl.defer): what is queued, by whom, its state, attempts, last error, timings, and the progress of a running index build';
GRANT SELECT ON safe_ddl.deferred TO PUBLIC;

-- defer-stmt: DBA controls; a superuser or a member of the role owning the
-- item's table (checked inside), so executable by PUBLIC
CREATE FUNCTION safe_ddl.deferred_pause(id bigint) RETURNS text
AS 'MODULE_PATHNAME', 'safe_ddl_deferred_pause'
LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION safe_ddl.deferred_pause(bigint) IS
'pause a queued deferred item: the worker leaves it alone until deferred_resume(); returns the new state';
CREATE FUNCTION safe_ddl.deferred_resume(id bigint) RETURNS text
AS 'MODULE_PATHNAME', 'safe_ddl_deferred_resume'
LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION safe_ddl.deferred_resume(bigint) IS
'queue a paused deferred item again; returns the new state';
CREATE FUNCTION safe_ddl.deferred_retry(id bigint) RETURNS text
AS 'MODULE_PATHNAME', 'safe_ddl_deferred_retry'
LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION safe_ddl.deferred_retry(bigint) IS
'queue a failed or cancelled deferred item again, its attempts and last error cleared; returns the new state';
CREATE FUNCTION safe_ddl.deferred_cancel(id bigint) RETURNS text
AS 'MODULE_PATHNAME', 'safe_ddl_deferred_cancel'
LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION safe_ddl.deferred_cancel(bigint) IS
'cancel a queued, paused or failed deferred item: it is never built (a NOT VALID constraint stays NOT VALID); returns the new state';

-- defer-stmt: the outcome of a client's deferred statement
COMMENT ON COLUMN safe_ddl.lock_log.outcome IS
'allowed, warned, rewritten, rejected, deferred (queued under safe_ddl.defer: rewritten_to holds what was queued), lock_timeout, failed, override, terminated (the session ended during the statement), unchecked (safe_ddl could not analyse it and let it through unchanged), hold_cancelled or hold_terminated (safe_ddl.lock_hold_budget ended the transaction that held the lock)';

-- <<< deferred online builds: statement side ------------------------------


-- >>> deferred online builds: worker side (wait_deferred, progress) ---------
-- defer-worker: waiting for the deferred builds, and waking their worker.
-- wait_deferred() runs as the extension's owner (the queue is not readable
-- by PUBLIC) and reads only the queue; see docs/deferred-builds.md.
CREATE FUNCTION safe_ddl.wait_deferred(timeout interval DEFAULT '1 hour')
RETURNS TABLE (id bigint, statement text, state text, last_error text)
AS 'MODULE_PATHNAME', 'safe_ddl_wait_deferred'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION safe_ddl.wait_deferred(interval) IS
'wait until every deferred build queued in this database so far is done or failed (error on timeout); returns the failed ones';

CREATE FUNCTION safe_ddl.deferred_wake()
RETURNS void
AS 'MODULE_PATHNAME', 'safe_ddl_deferred_wake'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION safe_ddl.deferred_wake() IS
'have this database''s deferred-build worker look at the queue now (after rows were queued or resumed by hand)';

-- <<< deferred online builds: worker side ---------------------------------


-- >>> reliab: the rewrite journal (issue #9) ------------------------------
-- Before each step of a multi-step rewrite that can leave something behind
-- (the index of CREATE INDEX CONCURRENTLY, a NOT VALID constraint, the
-- helper CHECK of SET NOT NULL, the index of ADD UNIQUE ... USING INDEX,
-- each index a REINDEX ... CONCURRENTLY rebuilds),
-- safe_ddl records here what it is about to create, in the transaction
-- that makes it durable, and deletes the row in the transaction that
-- finishes it.  A row whose backend is gone (terminated, killed, a crash)
-- names what a dead rewrite left; safe_ddl.recover_rewrites() removes it.
-- See docs/rewrites.md.
CREATE TABLE safe_ddl.rewrite_journal (
    id             bigserial PRIMARY KEY,
    pid            integer NOT NULL,
    backend_start  timestamptz NOT NULL,
    started_at     timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    username       text NOT NULL,
    application_name text,
    relid          oid NOT NULL,
    relation       text NOT NULL,
    kind           text NOT NULL
        CHECK (kind IN ('index', 'unique_index', 'not_valid', 'helper_check',
                        'reindex')),
    nspname        text NOT NULL,
    object_name    text,
    invalid_before oid[] NOT NULL DEFAULT '{}',
    command        text,
    statement      text,
    rewritten_to   text
);

COMMENT ON TABLE safe_ddl.rewrite_journal IS
'what each running safe_ddl rewrite of this database is creating; a row whose backend has ended names what an interrupted rewrite left behind, for safe_ddl.recover_rewrites()';
COMMENT ON COLUMN safe_ddl.rewrite_journal.kind IS
'index (CREATE INDEX CONCURRENTLY), unique_index (ADD UNIQUE | PRIMARY KEY: the index before it is attached), not_valid (a constraint added NOT VALID, before VALIDATE), helper_check (the CHECK of SET NOT NULL), reindex (an index rebuilt by REINDEX CONCURRENTLY: its INVALID _ccnew / _ccold copies)';
COMMENT ON COLUMN safe_ddl.rewrite_journal.object_name IS
'the index (in schema nspname) or the constraint; NULL for an index the statement left unnamed; for reindex, the index rebuilt';
COMMENT ON COLUMN safe_ddl.rewrite_journal.invalid_before IS
'the INVALID indexes the table had before the build, never removed';

REVOKE ALL ON safe_ddl.rewrite_journal FROM PUBLIC;
REVOKE ALL ON SEQUENCE safe_ddl.rewrite_journal_id_seq FROM PUBLIC;

-- Remove what interrupted rewrites left behind, and log each interrupted
-- statement that has no lock log row yet (a backend killed with SIGKILL,
-- or by a crash, logs nothing on its way out).  Called by the log writer
-- in safe_ddl.database, and by the next rewrite of the same table in any
-- database; a superuser may call it too.  Returns
-- the number of journal rows resolved.  Each removal waits for its lock at
-- most lock_timeout; what cannot be removed now stays for the next call.
CREATE FUNCTION safe_ddl.recover_rewrites()
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
-- its own DROPs are safe_ddl's cleanup, not a migration to judge
SET safe_ddl.mode = off
SET lock_timeout = '100ms'
AS $$
DECLARE
    j safe_ddl.rewrite_journal;
    victims regclass[];
    v regclass;
    resolved integer := 0;
BEGIN
    FOR j IN SELECT * FROM safe_ddl.rewrite_journal ORDER BY id LOOP
        -- its backend still runs: the rewrite is in progress
        CONTINUE WHEN EXISTS (SELECT FROM pg_stat_activity a
                               WHERE a.pid = j.pid
                                 AND a.backend_start = j.backend_start);
        BEGIN
            IF j.kind IN ('index', 'unique_index') THEN
                -- another build on the table may own an INVALID index
                -- there: look again once it is over
                CONTINUE WHEN EXISTS (SELECT FROM pg_stat_progress_create_index p
                                       WHERE p.relid = j.relid);
                SELECT array_agg(i.indexrelid::regclass) INTO victims
                  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                 WHERE i.indrelid = j.relid
                   AND CASE WHEN j.object_name IS NULL
                            THEN i.indexrelid <> ALL (j.invalid_before)
                            ELSE c.relname = j.object_name
                                 AND c.relnamespace = (SELECT n.oid FROM pg_namespace n
                                                        WHERE n.nspname = j.nspname)
                       END
                   AND (NOT i.indisvalid
                        OR (j.kind = 'unique_index'
                            AND NOT EXISTS (SELECT FROM pg_constraint k
                                             WHERE k.conindid = i.indexrelid)));
                FOREACH v IN ARRAY coalesce(victims, '{}') LOOP
                    EXECUTE format('DROP INDEX %s', v);
                END LOOP;
            ELSIF j.kind = 'reindex' THEN
                -- reindexj: only the INVALID copies REINDEX CONCURRENTLY
                -- made of this index on its table: <index>_ccnew before
                -- the swap, <index>_ccold after it, named as
                -- ChooseRelationName() does (makeObjectName() clips the
                -- index name to fit the label; a taken name gets a
                -- number: _ccnew1, _ccnew2, ...)
                CONTINUE WHEN EXISTS (SELECT FROM pg_stat_progress_create_index p
                                       WHERE p.relid = j.relid);
                SELECT array_agg(i.indexrelid::regclass) INTO victims
                  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid,
                       regexp_match(c.relname, '_(cc(?:new|old)(?:[1-9][0-9]*)?)$') m
                 WHERE i.indrelid = j.relid
                   AND NOT i.indisvalid
                   AND i.indexrelid <> ALL (j.invalid_before)
                   AND c.relnamespace = (SELECT n.oid FROM pg_namespace n
                                          WHERE n.nspname = j.nspname)
                   AND c.relname = (SELECT left(j.object_name, k)
                                      FROM generate_series(length(j.object_name), 0, -1) k
                                     WHERE octet_length(left(j.object_name, k))
                                           <= current_setting('max_identifier_length')::integer
                                              - 1 - length(m[1])
                                     ORDER BY k DESC LIMIT 1) || '_' || m[1];
                FOREACH v IN ARRAY coalesce(victims, '{}') LOOP
                    EXECUTE format('DROP INDEX %s', v);
                END LOOP;
            ELSIF EXISTS (SELECT FROM pg_constraint k
                           WHERE k.conrelid = j.relid AND k.conname = j.object_name
                             AND (j.kind = 'helper_check' OR NOT k.convalidated)) THEN
                EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I',
                               j.relid::regclass, j.object_name);
            END IF;
            -- the statement's lock log row, unless its backend wrote it
            -- on its way out (pg_terminate_backend)
            IF current_database() = current_setting('safe_ddl.database', true)
               AND NOT EXISTS (SELECT FROM safe_ddl.lock_log l
                                WHERE l.pid = j.pid AND l.logged_at >= j.started_at
                                  AND l.outcome = 'terminated') THEN
                INSERT INTO safe_ddl.lock_log (logged_at, database, username,
                                               application_name, pid, command,
                                               statement, outcome,
                                               rewritten_to, error)
                VALUES (clock_timestamp(), current_database(), j.username,
                        j.application_name, j.pid, j.command, j.statement,
                        'terminated', j.rewritten_to,
                        'the backend ended during the rewrite; safe_ddl removed what it left behind');
            END IF;
            DELETE FROM safe_ddl.rewrite_journal WHERE id = j.id;
            resolved := resolved + 1;
        EXCEPTION WHEN OTHERS THEN
            -- in the server log: the caller may be a client's rewrite
            RAISE LOG 'safe_ddl could not yet remove what an interrupted rewrite of % left behind: %',
                j.relation, SQLERRM;
        END;
    END LOOP;
    RETURN resolved;
END
$$;

REVOKE EXECUTE ON FUNCTION safe_ddl.recover_rewrites() FROM PUBLIC;
-- <<< reliab: the rewrite journal ------------------------------------------
