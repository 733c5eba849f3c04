--
-- The statement safe_ddl lets through after waiting for its locks runs at
-- the client's own nesting level, never inside a subtransaction of
-- safe_ddl's: the transaction's statistics (pg_stat_get_xact_*) read the
-- same as without safe_ddl.  Each case runs with safe_ddl.mode = off
-- (vanilla PostgreSQL), then in enforce mode; the two results must be
-- equal.
--
-- DROP TABLE zeroes the dropped table's counters of the current
-- transaction only when the drop runs at the nesting level that counted
-- them: wrapped in a subtransaction (as the lock-wait retry loop did) it
-- left them, and pg_stat_get_xact_tuples_inserted() returned 2, not 0.
--
-- The table exists before the transaction that drops it, so its ACCESS
-- EXCLUSIVE lock goes through safe_ddl's bounded wait.  lws_saved keeps its
-- OID for reading its counters after the drop.
CREATE TABLE lws_saved (oid oid);
\set show 'SELECT current_setting(''safe_ddl.mode'') AS mode, pg_stat_get_xact_tuples_inserted(oid) AS inserted, pg_stat_get_xact_tuples_updated(oid) AS updated FROM lws_saved;'

\set done 'COMMIT; TRUNCATE lws_saved;'

-- at the transaction's top level
\set top 'BEGIN; INSERT INTO lws_saved VALUES (''lws_t''::regclass); INSERT INTO lws_t VALUES (1), (2); UPDATE lws_t SET a = 3 WHERE a = 1; DROP TABLE lws_t;'
SET safe_ddl.mode = off;
CREATE TABLE lws_t (a int);
:top
:show
:done
RESET safe_ddl.mode;
CREATE TABLE lws_t (a int);
:top
:show
:done

-- inside a savepoint of the client's, then after its release
\set sub 'BEGIN; INSERT INTO lws_saved VALUES (''lws_t''::regclass); INSERT INTO lws_t VALUES (1); SAVEPOINT s1; INSERT INTO lws_t VALUES (2); DROP TABLE lws_t;'
\set release 'RELEASE SAVEPOINT s1; ' :show
SET safe_ddl.mode = off;
CREATE TABLE lws_t (a int);
:sub
:show
:release
:done
RESET safe_ddl.mode;
CREATE TABLE lws_t (a int);
:sub
:show
:release
:done

DROP TABLE lws_saved;
