# The demo itself (see scripts/demo); runs as the cluster's OS user.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/cluster.sh"

dir=$1
sddl_say "starting a throw-away cluster in $dir"
sddl_cluster_start "$dir" "safe_ddl.small_table_size = '10MB'" || exit 1
[ -z "${SDDL_KEEP:-}" ] && trap sddl_cluster_stop EXIT

bold= plain=
if [ -t 1 ]; then bold=$(printf '\033[1m'); plain=$(printf '\033[0m'); fi

psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

# One migration step: a comment saying what a developer meant, the SQL,
# and everything the server answered (NOTICE, WARNING, ERROR, DETAIL, HINT).
step() {
    local what=$1 sql=$2
    printf '\n%s-- %s%s\n%s\n' "$bold" "$what" "$plain" "$sql"
    psql -X -v VERBOSITY=default -c "$sql" 2>&1 | sed 's/^/   | /'
}

sddl_say "creating the sample schema: orders (1,000,000 rows), countries (250 rows)"
psql_q <<'SQL'
CREATE EXTENSION safe_ddl;
CREATE TABLE orders (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id int NOT NULL,
    status      text NOT NULL,
    total       numeric(12,2),
    created_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO orders (customer_id, status, total, created_at)
SELECT g % 50000, (ARRAY['new','paid','shipped'])[1 + g % 3], (g % 997) * 1.5,
       now() - g * interval '1 second'
  FROM generate_series(1, 1000000) g;
CREATE TABLE countries (code text PRIMARY KEY, name text);
INSERT INTO countries SELECT 'C' || g, 'Country ' || g FROM generate_series(1, 250) g;
VACUUM ANALYZE orders, countries;
SQL
psql_q -At -c "SELECT format('orders: %s, countries: %s', pg_size_pretty(pg_relation_size('orders')), pg_size_pretty(pg_relation_size('countries')))"

step "Adding a nullable column is instant: allowed (its ACCESS EXCLUSIVE wait is bounded)" \
    "ALTER TABLE orders ADD COLUMN note text;"
step "A plain CREATE INDEX in autocommit: rewritten to CREATE INDEX CONCURRENTLY" \
    "CREATE INDEX orders_customer_idx ON orders (customer_id);"
step "The same inside a transaction (a Django atomic migration): rejected, with the fix" \
    "BEGIN; CREATE INDEX orders_status_idx ON orders (status); COMMIT;"
step "A CHECK constraint in autocommit: rewritten to NOT VALID + VALIDATE" \
    "ALTER TABLE orders ADD CONSTRAINT orders_total_nonneg CHECK (total >= 0);"
step "SET NOT NULL in autocommit: rewritten through a validated CHECK" \
    "ALTER TABLE orders ALTER COLUMN total SET NOT NULL;"
step "int -> bigint rewrites the whole table under ACCESS EXCLUSIVE: rejected" \
    "ALTER TABLE orders ALTER COLUMN customer_id TYPE bigint;"
step "VACUUM FULL has no online equivalent: rejected" \
    "VACUUM FULL orders;"
step "The small table is below safe_ddl.small_table_size: allowed as written" \
    "BEGIN; CREATE INDEX countries_name_idx ON countries (name); COMMIT;"
step "New tables are never in anyone's way: allowed" \
    "BEGIN; CREATE TABLE refunds (id bigint PRIMARY KEY, order_id bigint); CREATE INDEX ON refunds (order_id); COMMIT;"

printf '\n%s-- A long reader holds orders for 3 s; the ALTER waits without freezing other traffic%s\n' "$bold" "$plain"
psql -X -q -c "SET application_name = 'long_report'; BEGIN; SELECT count(*) FROM orders; SELECT pg_sleep(3); COMMIT;" >/dev/null 2>&1 &
sleep 0.5
step "ALTER TABLE behind the long reader: retried with short lock waits until it gets through" \
    "ALTER TABLE orders ADD COLUMN channel text;"
wait

step "What would this migration do? (safe_ddl.check analyses without executing)" \
    "SELECT statement_no, command, relation, lock_mode, rewrites_table, scans_table, action, rule FROM safe_ddl.check('ALTER TABLE orders ADD COLUMN x int DEFAULT random(); CREATE INDEX ON orders (created_at); ALTER TABLE countries ADD COLUMN y int');"

sleep 1.5
if [ "$(psql -X -At -c "SELECT to_regclass('safe_ddl.lock_log') IS NOT NULL")" = t ]; then
    step "The durable lock log: every intercepted statement, even the rejected ones" \
        "SELECT to_char(logged_at, 'HH24:MI:SS') AS at, command, outcome, rule, round(lock_wait_ms::numeric, 1) AS wait_ms, attempts, left(statement, 50) AS statement FROM safe_ddl.lock_log ORDER BY logged_at;"
    step "The DBA's question after a deploy: who held up the migration on orders, and for how long?" \
        "SELECT left(l.statement, 42) AS statement, round(l.lock_wait_ms::numeric) AS waited_ms, l.attempts, b ->> 'application_name' AS blocker, b ->> 'pid' AS blocker_pid, left(b ->> 'query', 40) AS blocker_query FROM safe_ddl.lock_log l, jsonb_array_elements(l.blockers) b WHERE l.relations @> '[{\"relation\": \"public.orders\"}]' AND jsonb_typeof(l.blockers) = 'array' ORDER BY l.lock_wait_ms DESC;"
fi

if [ -n "${SDDL_KEEP:-}" ]; then
    printf '\nThe cluster is still running:\n  psql "host=%s port=%s dbname=postgres"\nStop it with: %s/pg_ctl -D %s stop\n' \
        "$PGHOST" "$PGPORT" "$("$PG_CONFIG" --bindir)" "$PGDATA"
fi
