--
-- Enforcement of require-concurrent-detach-partition,
-- require-concurrent-refresh, and of rules without a safe rewrite.
--
SET safe_ddl.small_table_size = 0;

-- DETACH PARTITION
CREATE TABLE enf_events (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE enf_events_2025 PARTITION OF enf_events
  FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE enf_events_2026 PARTITION OF enf_events
  FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
INSERT INTO enf_events SELECT g, date '2025-01-01' + g % 700 FROM generate_series(1, 10000) g;
ANALYZE enf_events;
BEGIN;
ALTER TABLE enf_events DETACH PARTITION enf_events_2025;
ROLLBACK;
ALTER TABLE enf_events DETACH PARTITION enf_events_2025;
SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'enf_events'::regclass;
-- with a default partition, DETACH ... CONCURRENTLY is impossible
CREATE TABLE enf_events_default PARTITION OF enf_events DEFAULT;
ALTER TABLE enf_events DETACH PARTITION enf_events_2026;
DROP TABLE enf_events, enf_events_2025;

-- REFRESH MATERIALIZED VIEW
CREATE MATERIALIZED VIEW enf_mv AS SELECT g AS id, g % 10 AS k FROM generate_series(1, 10000) g;
-- VACUUM: from PostgreSQL 16 on, the bulk load leaves empty pages at the
-- end (512 kB, not 360 kB), which the messages would show
VACUUM ANALYZE enf_mv;
-- no unique index: cannot be refreshed concurrently, rejected
REFRESH MATERIALIZED VIEW enf_mv;
CREATE UNIQUE INDEX CONCURRENTLY enf_mv_id ON enf_mv (id);
BEGIN;
REFRESH MATERIALIZED VIEW enf_mv;
ROLLBACK;
REFRESH MATERIALIZED VIEW enf_mv;
SELECT count(*) FROM enf_mv;
-- an index on a materialized view is built concurrently too
CREATE INDEX enf_mv_k ON enf_mv (k);
SELECT indexrelid::regclass, indisvalid FROM pg_index
 WHERE indrelid = 'enf_mv'::regclass ORDER BY 1;
DROP MATERIALIZED VIEW enf_mv;

-- no safe rewrite: rejected everywhere, with advice
CREATE TABLE enf_big (id int, total int);
INSERT INTO enf_big SELECT g, g FROM generate_series(1, 10000) g;
ANALYZE enf_big;
ALTER TABLE enf_big ALTER COLUMN total TYPE bigint;
VACUUM FULL enf_big;
DROP TABLE enf_big;

RESET safe_ddl.small_table_size;
