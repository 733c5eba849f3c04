-- Deploy shop:orders_created_idx to pg
-- requires: orders

-- No BEGIN/COMMIT and no CONCURRENTLY: safe_ddl runs the statement as
-- CREATE INDEX CONCURRENTLY itself and says so in a NOTICE.
CREATE INDEX orders_created_idx ON orders (created_at);
