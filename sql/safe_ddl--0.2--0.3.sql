/* safe_ddl--0.2--0.3.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION safe_ddl UPDATE TO '0.3'" to load this file. \quit

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

-- >>> holdcost (issue 12): the lock log's indexes --------------------------
-- One BRIN index on logged_at replaces the B-tree on it and the GIN index on
-- relations: see the same section of safe_ddl--0.3.sql.
DROP INDEX safe_ddl.lock_log_relations_idx;
DROP INDEX safe_ddl.lock_log_logged_at_idx;
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
-- <<< holdcost -----------------------------------------------------------

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
