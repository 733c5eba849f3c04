-- Verify shop:orders on pg

SELECT id, customer_id, status, created_at FROM orders WHERE false;
