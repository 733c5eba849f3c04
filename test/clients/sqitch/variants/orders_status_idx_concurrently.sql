-- Deploy shop:orders_status_idx to pg
-- requires: orders

-- No BEGIN/COMMIT: psql runs the statement in autocommit, where
-- CREATE INDEX CONCURRENTLY is possible (what safe_ddl's HINT says).
CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);
