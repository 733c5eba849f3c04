#!/usr/bin/env bash
# Django's "manage.py migrate" against a cluster with safe_ddl preloaded, as
# an application developer meets it: a fresh install of django.contrib apps
# plus our own app gives no rejection; an atomic AddIndex on a table above
# safe_ddl.small_table_size is refused with a DETAIL and HINT that Django
# prints; the same index through AddIndexConcurrently in an atomic = False
# migration applies.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/tap.bash"

client_cluster django shop "safe_ddl.small_table_size = '1MB'" || exit 1

cp -r "$here/django" "$work/app"
cd "$work/app" || exit 1
export SDDL_DB_NAME=shop
migrate() { /usr/bin/python3 manage.py migrate --no-input "$@" 2>&1; }
rejections() { psql -X -At -d shop -c "SELECT count(*) FROM safe_ddl.lock_log WHERE outcome = 'rejected'" 2>/dev/null || echo 0; }

# 1. A fresh install: contrib apps and every migration of our app.
out=$(migrate)
status=$?
echo "$out" | sed 's/^/# /'
ok "fresh install migrates" test $status -eq 0
ok "fresh install: no safe_ddl error" lacks "$out" "safe_ddl"
wait_until 30 log_flushed -d shop
ok "fresh install: no rejection in the lock log" test "$(rejections)" = 0

# 2. The table grows past safe_ddl.small_table_size ...
psql -X -q -d shop -c "INSERT INTO shop_order (customer_id_legacy, status, created_at, total, priority)
    SELECT g % 1000, 'new', now(), g, 0 FROM generate_series(1, 100000) g; ANALYZE shop_order;" || exit 1

# ... and an atomic AddIndex is refused, with everything Django prints.
cp variants/0003_add_index_atomic.py shop/migrations/0003_status_index.py
out=$(migrate shop)
status=$?
echo "$out" | sed 's/^/# /'
ok "atomic AddIndex on a big table fails the migration" test $status -ne 0
ok "the error names safe_ddl" contains "$out" "safe_ddl"
ok "the error names the table" contains "$out" "shop_order"
ok "DETAIL is printed with the lock mode" contains "$out" "DETAIL:"
ok "HINT is printed" contains "$out" "HINT:"
ok "HINT names AddIndexConcurrently" contains "$out" "AddIndexConcurrently"
ok "HINT names atomic = False" contains "$out" "atomic = False"
ok "Django raises NotSupportedError (not retried as a lock timeout)" contains "$out" "NotSupportedError"
ok "migration not recorded" test "$(psql -X -At -d shop -c "SELECT count(*) FROM django_migrations WHERE app = 'shop' AND name = '0003_status_index'")" = 0

# 3. What the HINT says to write instead applies.
cp variants/0003_add_index_concurrently.py shop/migrations/0003_status_index.py
out=$(migrate shop)
status=$?
echo "$out" | sed 's/^/# /'
ok "AddIndexConcurrently with atomic = False applies" test $status -eq 0
ok "the index exists and is valid" test "$(psql -X -At -d shop -c "SELECT indisvalid FROM pg_index WHERE indexrelid = 'shop_order_status_idx'::regclass")" = t
wait_until 30 log_flushed -d shop
ok "the rejection is in the lock log" test "$(rejections)" -ge 1

done_testing
