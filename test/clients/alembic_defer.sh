#!/usr/bin/env bash
# Deferred online builds with Alembic (issue 13): with safe_ddl.defer =
# 'index', a plain op.create_index on a big table inside Alembic's
# transaction applies as written, and the index is queued to be built
# concurrently after commit; a revision that fails after it queues nothing.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/tap.bash"

client_cluster alembic_defer events "safe_ddl.small_table_size = '1MB'" \
    "safe_ddl.defer = 'index'" || exit 1

cp -r "$here/alembic" "$work/app"
cd "$work/app" || exit 1
export SDDL_DB_NAME=events
upgrade() { /usr/bin/python3 -m alembic -c alembic.ini upgrade head 2>&1; }
q() { psql -X -At -d events -c "$1"; }

out=$(upgrade)
status=$?
echo "$out" | sed 's/^/# /'
ok "a new table and its index apply" test $status -eq 0
ok "nothing is queued for a new table" test "$(q "SELECT count(*) FROM safe_ddl.deferred_queue")" = 0

q "INSERT INTO events (id, kind, payload)
   SELECT g, 'kind' || g % 10, repeat('x', 20) FROM generate_series(1, 100000) g; ANALYZE events" >/dev/null || exit 1

cp variants/002_index_plain.py versions/002_index.py
out=$(upgrade)
status=$?
echo "$out" | sed 's/^/# /'
ok "plain create_index on a big table applies" test $status -eq 0
ok "alembic_version is at 002" test "$(q "SELECT version_num FROM alembic_version")" = 002
ok "the index is queued" test "$(q "SELECT count(*) FROM safe_ddl.deferred_queue WHERE kind = 'index' AND object_name = 'ix_events_kind'")" = 1
ok "the queued statement builds it concurrently" test "$(q "SELECT statement FROM safe_ddl.deferred_queue WHERE object_name = 'ix_events_kind'")" = "CREATE INDEX CONCURRENTLY ix_events_kind ON public.events (kind)"

before=$(q "SELECT count(*) FROM safe_ddl.deferred_queue")
cp variants/003_index_rolled_back.py versions/003_index_rolled_back.py
out=$(upgrade)
status=$?
echo "$out" | sed 's/^/# /'
ok "the failing revision fails" test $status -ne 0
ok "nothing more is queued" test "$(q "SELECT count(*) FROM safe_ddl.deferred_queue")" = "$before"
ok "alembic_version is still at 002" test "$(q "SELECT version_num FROM alembic_version")" = 002
wait_until 30 log_flushed -d events
ok "its index had been deferred, not refused" test "$(q "SELECT count(*) FROM safe_ddl.lock_log WHERE outcome = 'deferred' AND statement LIKE '%ix_events_id_kind%'")" = 1

# The worker side: after wait_deferred() the index is built and valid.
out=$(q "SELECT count(*) FROM safe_ddl.wait_deferred('300s')")
ok "wait_deferred() returns with nothing failed" test "$out" = 0
ok "the item is done" test "$(q "SELECT state FROM safe_ddl.deferred_queue WHERE object_name = 'ix_events_kind'")" = done
ok "the index is valid" test "$(q "SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_events_kind'::regclass")" = t
ok "it is the migration's index" test "$(q "SELECT pg_get_indexdef('ix_events_kind'::regclass)")" = "CREATE INDEX ix_events_kind ON public.events USING btree (kind)"

done_testing
