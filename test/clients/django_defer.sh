#!/usr/bin/env bash
# Deferred online builds with Django (issue 13): with safe_ddl.defer =
# 'index, validation', an atomic migration adding an index, a CHECK
# constraint and a ForeignKey to a table above safe_ddl.small_table_size
# applies as written: the indexes and the validation are queued in the
# migration's transaction, the CHECK holds for new rows at once.  A migration
# that fails after queueing queues nothing.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/tap.bash"

client_cluster django_defer shop "safe_ddl.small_table_size = '1MB'" \
    "safe_ddl.defer = 'index, validation'" || exit 1

cp -r "$here/django" "$work/app"
cd "$work/app" || exit 1
export SDDL_DB_NAME=shop
migrate() { /usr/bin/python3 manage.py migrate --no-input "$@" 2>&1; }
q() { psql -X -At -d shop -c "$1"; }

out=$(migrate)
status=$?
echo "$out" | sed 's/^/# /'
ok "fresh install migrates" test $status -eq 0

q "INSERT INTO shop_customer (email, name) SELECT 'c' || g, 'n' || g FROM generate_series(1, 100) g" >/dev/null
q "INSERT INTO shop_order (customer_id_legacy, status, created_at, total, priority)
   SELECT g % 1000, 'new', now(), g, 0 FROM generate_series(1, 100000) g; ANALYZE shop_order" >/dev/null || exit 1

# 1. An atomic migration on the big table applies, nothing built in it.
cp variants/0003_defer_atomic.py shop/migrations/0003_defer.py
out=$(migrate shop)
status=$?
echo "$out" | sed 's/^/# /'
ok "atomic AddIndex + AddConstraint + ForeignKey migrates" test $status -eq 0
ok "django_migrations records it" test "$(q "SELECT count(*) FROM django_migrations WHERE app = 'shop' AND name = '0003_defer'")" = 1
ok "the status index is queued" test "$(q "SELECT count(*) FROM safe_ddl.deferred_queue WHERE kind = 'index' AND object_name = 'shop_order_status_idx'")" = 1
ok "the ForeignKey's index is queued" test "$(q "SELECT count(*) FROM safe_ddl.deferred_queue q WHERE kind = 'index' AND statement LIKE '%(\"referrer_id\")%'")" = 1
ok "the CHECK's validation is queued" test "$(q "SELECT count(*) FROM safe_ddl.deferred_queue WHERE kind = 'validation' AND object_name = 'shop_order_total_nonneg'")" = 1
ok "the CHECK exists now" test "$(q "SELECT count(*) FROM pg_constraint WHERE conname = 'shop_order_total_nonneg'")" = 1
ok "the ForeignKey exists now" test "$(q "SELECT count(*) FROM pg_constraint WHERE conrelid = 'shop_order'::regclass AND contype = 'f' AND conkey = ARRAY[(SELECT attnum FROM pg_attribute WHERE attrelid = 'shop_order'::regclass AND attname = 'referrer_id')]")" = 1
ok "the CHECK holds for new rows at once" \
    bash -c "! psql -X -q -d shop -c \"INSERT INTO shop_order (status, created_at, total, priority) VALUES ('new', now(), -1, 0)\" 2>/dev/null"
ok "the queue records the application" test "$(q "SELECT count(DISTINCT queued_by) FROM safe_ddl.deferred_queue")" = 1
ok "the view shows every item" test "$(q "SELECT count(*) FROM safe_ddl.deferred")" = "$(q "SELECT count(*) FROM safe_ddl.deferred_queue")"
wait_until 30 log_flushed -d shop
ok "the lock log says deferred" test "$(q "SELECT count(*) FROM safe_ddl.lock_log WHERE outcome = 'deferred'")" -ge 3
ok "nothing was rejected" test "$(q "SELECT count(*) FROM safe_ddl.lock_log WHERE outcome = 'rejected'")" = 0

# 2. A migration that fails after its AddIndex queues nothing.
before=$(q "SELECT count(*) FROM safe_ddl.deferred_queue")
cp variants/0004_defer_rolled_back.py shop/migrations/0004_defer_rolled_back.py
out=$(migrate shop)
status=$?
echo "$out" | sed 's/^/# /'
ok "the failing migration fails" test $status -ne 0
ok "nothing more is queued" test "$(q "SELECT count(*) FROM safe_ddl.deferred_queue")" = "$before"
wait_until 30 log_flushed -d shop
ok "its AddIndex had been deferred, not refused" test "$(q "SELECT count(*) FROM safe_ddl.lock_log WHERE outcome = 'deferred' AND statement LIKE '%shop_order_priority_idx%'")" = 1
ok "not recorded in django_migrations" test "$(q "SELECT count(*) FROM django_migrations WHERE name = '0004_defer_rolled_back'")" = 0

# 3. The worker side: after wait_deferred(), what the migration deferred is
#    built and validated, with no INVALID index left.
out=$(q "SELECT count(*) FROM safe_ddl.wait_deferred('300s')")
ok "wait_deferred() returns with nothing failed" test "$out" = 0
ok "every deferred item is done" test "$(q "SELECT count(*) FROM safe_ddl.deferred_queue WHERE state <> 'done'")" = 0
ok "the status index is valid" test "$(q "SELECT indisvalid FROM pg_index WHERE indexrelid = 'shop_order_status_idx'::regclass")" = t
ok "the ForeignKey's index is valid" test "$(q "SELECT count(*) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] WHERE i.indrelid = 'shop_order'::regclass AND a.attname = 'referrer_id' AND i.indisvalid")" = 1
ok "the CHECK is validated" test "$(q "SELECT convalidated FROM pg_constraint WHERE conname = 'shop_order_total_nonneg'")" = t
ok "the ForeignKey is validated" test "$(q "SELECT count(*) FROM pg_constraint WHERE conrelid = 'shop_order'::regclass AND contype = 'f' AND NOT convalidated")" = 0
ok "no INVALID index is left" test "$(q "SELECT count(*) FROM pg_index WHERE NOT indisvalid")" = 0
wait_until 30 log_flushed -d shop
ok "the builds are in the lock log" test "$(q "SELECT count(*) FROM safe_ddl.lock_log WHERE application_name = 'safe_ddl deferred build' AND outcome = 'allowed'")" -ge 3

done_testing
