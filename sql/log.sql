--
-- The lock log: its table, settings, functions, views and privileges.
-- (Rows reach the table only in the database named by safe_ddl.database,
-- "postgres" here; the TAP test test/t/110_log_durability.pl checks the
-- writing itself.  Rows are inserted by hand below to check the views.)
--

-- the columns are a user contract
SELECT column_name, data_type
  FROM information_schema.columns
 WHERE table_schema = 'safe_ddl' AND table_name = 'lock_log'
 ORDER BY ordinal_position;

-- the settings and their defaults
SELECT name, setting, unit, context, enumvals
  FROM pg_settings
 WHERE name LIKE 'safe_ddl.log%' OR name = 'safe_ddl.database'
 ORDER BY name;

-- invalid values are refused
SET safe_ddl.log_level = 'everything';
-- (the server's message ends with the bounds, printed with units from
-- PostgreSQL 16 on; they are checked through pg_settings instead)
DO $$BEGIN SET safe_ddl.log_min_wait = -2;
EXCEPTION WHEN invalid_parameter_value THEN
  RAISE NOTICE '%', regexp_replace(SQLERRM, ' \(.*\)$', '');
END$$;
DO $$BEGIN SET safe_ddl.log_statement_max_length = -1;
EXCEPTION WHEN invalid_parameter_value THEN
  RAISE NOTICE '%', regexp_replace(SQLERRM, ' \(.*\)$', '');
END$$;
SELECT name, min_val, max_val, unit FROM pg_settings
 WHERE name IN ('safe_ddl.log_min_wait', 'safe_ddl.log_statement_max_length')
 ORDER BY name;
SET safe_ddl.log_level = non_allowed;
SHOW safe_ddl.log_level;
RESET safe_ddl.log_level;

-- log_status() reports on the shared buffer
SELECT buffered >= 0 AS buffered, dropped >= 0 AS dropped,
       written >= 0 AS written, database
  FROM safe_ddl.log_status();

-- the views, on rows inserted by hand
INSERT INTO safe_ddl.lock_log (logged_at, database, username, pid, command,
       statement, relations, lock_mode, lock_wait_ms, attempts, duration_ms,
       outcome, rule)
VALUES
  (now() - interval '1 hour', 'app', 'deployer', 10, 'ALTER TABLE',
   'ALTER TABLE orders ADD COLUMN note text',
   '[{"relation": "public.orders", "lock_mode": "AccessExclusiveLock"}]',
   'AccessExclusiveLock', 1500.25, 3, 1502.5, 'allowed', NULL),
  (now() - interval '30 minutes', 'app', 'deployer', 10, 'CREATE INDEX',
   'CREATE INDEX ON orders (customer_id)',
   '[{"relation": "public.orders", "lock_mode": "ShareLock"}]',
   'ShareLock', 0.5, 1, 1.0, 'rejected', 'create_index_not_concurrently'),
  (now() - interval '20 minutes', 'app', 'deployer', 11, 'ALTER TABLE',
   'ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers',
   '[{"relation": "public.orders", "lock_mode": "ShareRowExclusiveLock"}, {"relation": "public.customers", "lock_mode": "ShareRowExclusiveLock"}]',
   'ShareRowExclusiveLock', 2000, 5, 2001, 'lock_timeout', NULL),
  (now() - interval '30 days', 'app', 'deployer', 9, 'DROP TABLE',
   'DROP TABLE old_stuff',
   '[{"relation": "public.old_stuff", "lock_mode": "AccessExclusiveLock"}]',
   'AccessExclusiveLock', 0, 1, 3, 'allowed', NULL);

SELECT relation, events, total_wait_ms, max_wait_ms, rejections,
       lock_timeouts, failures, last_seen IS NOT NULL AS seen
  FROM safe_ddl.relation_summary
 ORDER BY relation;

-- recent_events: the last 7 days, newest first
SELECT command, outcome, lock_wait_ms FROM safe_ddl.recent_events;

-- "which migration blocked the orders table, for how long, and who was in
-- its way"
SELECT logged_at > now() - interval '1 day' AS today, username, statement,
       lock_wait_ms, blockers
  FROM safe_ddl.lock_log
 WHERE relations @> '[{"relation": "public.orders"}]'
   AND lock_wait_ms > 1000
 ORDER BY lock_wait_ms DESC;

-- application roles: no writes, own rows only
CREATE ROLE sddl_log_app;
CREATE ROLE sddl_log_dba IN ROLE pg_read_all_stats;
INSERT INTO safe_ddl.lock_log (logged_at, database, username, pid, outcome,
       statement)
VALUES (now(), 'app', 'sddl_log_app', 12, 'allowed', 'CREATE TABLE mine (a int)');
SET ROLE sddl_log_app;
SELECT username, statement FROM safe_ddl.lock_log;
SELECT username, statement FROM safe_ddl.recent_events;
SELECT relation FROM safe_ddl.relation_summary;
INSERT INTO safe_ddl.lock_log (logged_at, database, username, pid, outcome)
VALUES (now(), 'app', 'sddl_log_app', 1, 'allowed');
UPDATE safe_ddl.lock_log SET outcome = 'allowed';
DELETE FROM safe_ddl.lock_log;
TRUNCATE safe_ddl.lock_log;
SELECT nextval('safe_ddl.lock_log_id_seq');
SELECT safe_ddl.purge_log('0 s');
SELECT dropped >= 0 AS dropped FROM safe_ddl.log_status();
SET safe_ddl.log_level = off;
RESET ROLE;
SET ROLE sddl_log_dba;
SELECT count(*) FROM safe_ddl.lock_log;
SELECT count(*) FROM safe_ddl.recent_events;
RESET ROLE;

-- retention
SELECT safe_ddl.purge_log('7 days');
SELECT count(*) FROM safe_ddl.lock_log;
SELECT safe_ddl.purge_log('0 s');
SELECT count(*) FROM safe_ddl.lock_log;

-- pg_dump keeps the rows
SELECT c.relname, d.extcondition
  FROM pg_extension e, unnest(e.extconfig) WITH ORDINALITY AS d0(oid, n)
  JOIN pg_class c ON c.oid = d0.oid
  JOIN LATERAL (SELECT e.extcondition[d0.n] AS extcondition) d ON true
 WHERE e.extname = 'safe_ddl'
 ORDER BY 1;

DROP ROLE sddl_log_app;
DROP ROLE sddl_log_dba;
