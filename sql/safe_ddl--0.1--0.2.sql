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
'allowed, warned, rewritten, rejected, lock_timeout, failed, override, terminated (the session ended during the statement), unchecked (safe_ddl could not analyse it and let it through unchanged), hold_cancelled or hold_terminated (safe_ddl.lock_hold_budget ended the transaction that held the lock)';

-- The log writer takes ids 32 at a time (one sequence update, not one per
-- row); ids are unique but not in the order rows were written.
ALTER SEQUENCE safe_ddl.lock_log_id_seq CACHE 32;
-- <<< lock log durability (issue #9) ----------------------------------------

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
