#!/usr/bin/env bash
# "sqitch deploy" (Debian's sqitch, Pg engine: psql runs each deploy script)
# against a cluster with safe_ddl preloaded, on a table above
# safe_ddl.small_table_size: a change made with "sqitch add" (whose template
# wraps the script in BEGIN/COMMIT) that creates an index is refused, with
# DETAIL and HINT in sqitch's output; the same change as a script without
# BEGIN/COMMIT using CREATE INDEX CONCURRENTLY applies; a plain CREATE INDEX
# in such a script is rewritten, with a NOTICE that sqitch shows.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/tap.bash"

client_cluster sqitch shop "safe_ddl.small_table_size = '1MB'" || exit 1

cp -r "$here/sqitch" "$work/proj"
cd "$work/proj" || exit 1
# sqitch reads ~/.sqitch/sqitch.conf and needs a name for the registry.
export HOME=$work SQITCH_FULLNAME="safe_ddl test" SQITCH_EMAIL=test@example.com

deploy() {
    out=$(sqitch deploy 2>&1)
    status=$?
    echo "$out" | sed 's/^/# /'
}
q() { psql -X -At -d shop -c "$1"; }
deployed() { test "$(q "SELECT count(*) FROM sqitch.changes WHERE change = '$1'")" = 1; }
not_deployed() { test "$(q "SELECT count(*) FROM sqitch.changes WHERE change = '$1'")" = 0; }
index_valid() { test "$(q "SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('$1')")" = t; }
# applied CHANGE WHAT: sqitch deployed it and recorded it, and its index
# is valid.
applied() {
    ok "$2 applies" test $status -eq 0
    ok "$2: sqitch reports ok" grep -qE '(^|\.\. )ok$' <<<"$(tail -n1 <<<"$out")"
    ok "$2: the index is valid" index_valid "$1"
    ok "$2: recorded in sqitch.changes" deployed "$1"
}
no_relation() { test -z "$(q "SELECT to_regclass('$1')")"; }

# 1. The registry and the first change.
deploy
ok "first deploy succeeds" test $status -eq 0
ok "first deploy: no safe_ddl message" lacks "$out" "safe_ddl"
ok "orders deployed" deployed orders

# 2. The table grows past safe_ddl.small_table_size.
q "INSERT INTO orders (customer_id, status) SELECT g % 1000, 'new' FROM generate_series(1, 100000) g" >/dev/null &&
    q "ANALYZE orders" >/dev/null || exit 1

# 3. "sqitch add" writes BEGIN/COMMIT around the script; the developer puts
#    a plain CREATE INDEX inside.
sqitch add orders_status_idx --requires orders -n "Index orders by status." >/dev/null || exit 1
ok "sqitch's template wraps the change in a transaction" grep -q '^BEGIN;' deploy/orders_status_idx.sql
sed -i 's/^-- XXX Add DDLs here\./CREATE INDEX orders_status_idx ON orders (status);/' deploy/orders_status_idx.sql
deploy
ok "CREATE INDEX in the script's transaction fails the deploy" test $status -ne 0
ok "sqitch says the deploy failed" contains "$out" "Deploy failed"
ok "psql's ERROR line names the script and what was refused" \
    contains "$out" 'psql:deploy/orders_status_idx.sql:6: ERROR:  creating index "orders_status_idx" on table "orders" would block writes'
ok "DETAIL names the lock" contains "$out" 'DETAIL:  CREATE INDEX takes ShareLock on table "orders"'
ok "DETAIL names the rule" contains "$out" "(rule require-concurrent-index-creation)"
ok "HINT says to run it outside a transaction block" contains "$out" "HINT:  Run instead, outside a transaction block:"
ok "HINT gives the SQL" contains "$out" "CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);"
ok "no index left behind" no_relation orders_status_idx
ok "change not deployed" not_deployed orders_status_idx
ok "sqitch logged the failure" test "$(q "SELECT count(*) FROM sqitch.events WHERE change = 'orders_status_idx' AND event = 'fail'")" = 1

# 4. What the HINT says: the script without BEGIN/COMMIT, CONCURRENTLY.
cp variants/orders_status_idx_concurrently.sql deploy/orders_status_idx.sql
deploy
applied orders_status_idx "CREATE INDEX CONCURRENTLY without BEGIN/COMMIT"
ok "no safe_ddl message" lacks "$out" "safe_ddl"

# 5. A plain CREATE INDEX in a script without BEGIN/COMMIT: safe_ddl runs
#    it concurrently, and sqitch shows psql's NOTICE.
sqitch add orders_created_idx --requires orders -n "Index orders by creation time." >/dev/null || exit 1
cp variants/orders_created_idx_autocommit.sql deploy/orders_created_idx.sql
deploy
applied orders_created_idx "plain CREATE INDEX without BEGIN/COMMIT"
ok "the NOTICE is shown" contains "$out" "NOTICE:"
ok "the NOTICE names the statement run" contains "$out" "CREATE INDEX CONCURRENTLY orders_created_idx ON orders (created_at)"

wait_until 30 log_flushed -d shop
ok "the lock log has the rejection and the rewrite" \
    test "$(q "SELECT string_agg(outcome, ',' ORDER BY id) FROM safe_ddl.lock_log WHERE command = 'CREATE INDEX' AND statement LIKE 'CREATE INDEX orders_%'")" = rejected,rewritten

done_testing
