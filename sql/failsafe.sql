--
-- safe_ddl must never hurt the server it guards: statements the server
-- itself refuses get the server's own error, through the hook and through
-- safe_ddl.check(), in every mode.
--

-- ATTACH PARTITION to a table that is not partitioned (this crashed the
-- server: the analysis assumed a partition key)
CREATE TABLE fs_np (a int);
CREATE TABLE fs_np_part (a int);
ALTER TABLE fs_np ATTACH PARTITION fs_np_part FOR VALUES IN (1);
SET safe_ddl.mode = observe;
ALTER TABLE fs_np ATTACH PARTITION fs_np_part FOR VALUES IN (1);
SET safe_ddl.small_table_size = 0;
ALTER TABLE fs_np ATTACH PARTITION fs_np_part FOR VALUES FROM (1) TO (2);
RESET safe_ddl.small_table_size;
RESET safe_ddl.mode;
SELECT * FROM safe_ddl.check('ALTER TABLE fs_np ATTACH PARTITION fs_np_part FOR VALUES FROM (1) TO (2)');
-- the server is still up, and the plain table is untouched
SELECT relkind, relispartition FROM pg_class WHERE relname = 'fs_np_part';
DROP TABLE fs_np, fs_np_part;

-- Statements that cannot run inside a transaction block are never wrapped
-- in the lock-wait subtransaction: REINDEX of a (small) partitioned table
-- or index and REINDEX SCHEMA run in autocommit exactly as without
-- safe_ddl (they failed with "cannot run inside a transaction block").
CREATE SCHEMA fs_rs;
CREATE TABLE fs_rs.parted (a int) PARTITION BY RANGE (a);
CREATE TABLE fs_rs.parted_1 PARTITION OF fs_rs.parted FOR VALUES FROM (1) TO (10);
CREATE INDEX fs_rs_parted_a ON fs_rs.parted (a);
SHOW safe_ddl.mode;
REINDEX TABLE fs_rs.parted;
REINDEX INDEX fs_rs.fs_rs_parted_a;
REINDEX SCHEMA fs_rs;
SET safe_ddl.mode = off;
REINDEX TABLE fs_rs.parted;
REINDEX SCHEMA fs_rs;
RESET safe_ddl.mode;
-- in a transaction block, the server's own refusal, as without safe_ddl
BEGIN;
REINDEX TABLE fs_rs.parted;
ROLLBACK;
DROP SCHEMA fs_rs CASCADE;
