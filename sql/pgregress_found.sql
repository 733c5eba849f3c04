--
-- Differences PostgreSQL's own regression suite showed with safe_ddl
-- preloaded (scripts/regress-diff, docs/regress-diff.md), each reduced to
-- the statements that show it.
--

-- LOCK TABLE outside a transaction block is refused by PostgreSQL, which
-- counts a subtransaction as a block: run in the lock-wait subtransaction it
-- succeeded, doing nothing (psql_pipeline of PostgreSQL 18's suite: LOCK as
-- the first command of a pipeline).  Refused in every mode, as without
-- safe_ddl; inside a transaction block it still takes its lock.
CREATE TABLE pf_lock (a int);
LOCK TABLE pf_lock;
LOCK TABLE pf_lock IN SHARE MODE;
SET safe_ddl.mode = observe;
LOCK TABLE pf_lock;
SET safe_ddl.mode = off;
LOCK TABLE pf_lock;
RESET safe_ddl.mode;
BEGIN;
LOCK TABLE pf_lock;
SELECT mode, granted FROM pg_locks
 WHERE locktype = 'relation' AND relation = 'pf_lock'::regclass;
COMMIT;
DROP TABLE pf_lock;
