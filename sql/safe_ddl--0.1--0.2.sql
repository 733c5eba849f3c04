/* safe_ddl--0.1--0.2.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION safe_ddl UPDATE TO '0.2'" to load this file. \quit

-- >>> lock log durability (issue #9) ----------------------------------------
-- log_status() reports the events lost in crashes and immediate shutdowns,
-- and those saved then and written after the restart.  Its OUT columns
-- change, so it is dropped and created again.
DROP FUNCTION safe_ddl.log_status();

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

COMMENT ON COLUMN safe_ddl.lock_log.outcome IS
'allowed, warned, rewritten, rejected, lock_timeout, failed, override or terminated (the session ended during the statement)';

-- The log writer takes ids 32 at a time (one sequence update, not one per
-- row); ids are unique but not in the order rows were written.
ALTER SEQUENCE safe_ddl.lock_log_id_seq CACHE 32;
-- <<< lock log durability (issue #9) ----------------------------------------
