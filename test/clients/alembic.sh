#!/usr/bin/env bash
# Alembic's "upgrade head" against a cluster with safe_ddl preloaded: a new
# table and its index apply; a plain create_index on a big table inside
# Alembic's transaction is refused with a HINT naming the Alembic fix; the
# fix (autocommit_block + postgresql_concurrently=True) applies.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/tap.bash"

client_cluster alembic events "safe_ddl.small_table_size = '1MB'" || exit 1

cp -r "$here/alembic" "$work/app"
cd "$work/app" || exit 1
export SDDL_DB_NAME=events
upgrade() { /usr/bin/python3 -m alembic -c alembic.ini upgrade head 2>&1; }

out=$(upgrade)
status=$?
echo "$out" | sed 's/^/# /'
ok "a new table and its index apply" test $status -eq 0
ok "no safe_ddl error on the new table" lacks "$out" "safe_ddl"

psql -X -q -d events -c "INSERT INTO events (id, kind, payload)
    SELECT g, 'kind' || g % 10, repeat('x', 20) FROM generate_series(1, 100000) g; ANALYZE events;" || exit 1

cp variants/002_index_plain.py versions/002_index.py
out=$(upgrade)
status=$?
echo "$out" | sed 's/^/# /'
ok "plain create_index on a big table fails" test $status -ne 0
ok "the error names safe_ddl" contains "$out" "safe_ddl"
ok "the error names the table" contains "$out" "events"
ok "HINT names postgresql_concurrently" contains "$out" "postgresql_concurrently=True"
ok "HINT names autocommit_block" contains "$out" "autocommit_block"
ok "nothing was left behind" test "$(psql -X -At -d events -c "SELECT count(*) FROM pg_class WHERE relname = 'ix_events_kind'")" = 0

cp variants/002_index_concurrently.py versions/002_index.py
rm -rf versions/__pycache__
out=$(upgrade)
status=$?
echo "$out" | sed 's/^/# /'
ok "autocommit_block + postgresql_concurrently applies" test $status -eq 0
ok "the index is valid" test "$(psql -X -At -d events -c "SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_events_kind'::regclass")" = t

done_testing
