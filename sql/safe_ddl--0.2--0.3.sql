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
-- (queue inspection view and pause / resume / retry / cancel functions)

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
