#!/usr/bin/env bash
# CI lint before deploying (docs/ci-lint.md): the SQL a migration tool prints
# without running it (Django's sqlmigrate, Alembic's upgrade --sql) piped
# into contrib/ci/safe-ddl-lint, which asks safe_ddl.check_report() on the
# server.  A migration safe_ddl would refuse fails the job with a one-line
# finding and the tool's hint; its fix passes; nothing is executed.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/tap.bash"
lint=$here/../../contrib/ci/safe-ddl-lint

client_cluster ci_lint shop "safe_ddl.small_table_size = '1MB'" || exit 1
psql -X -q -d shop -c "ALTER EXTENSION safe_ddl UPDATE TO '0.2'" 2>/dev/null
export SDDL_DB_NAME=shop

# lint FRAMEWORK COMMAND...: COMMAND prints migration SQL (kept in $sql);
# pipe it into the lint, as a CI job would; its output and exit status in
# $out and $status.
lint() {
    local fw=$1; shift
    sql=$("$@" 2>&1)
    echo "$sql" | sed 's/^/# sql: /'
    out=$(echo "$sql" | "$lint" -f "$fw" -d shop 2>&1)
    status=$?
    echo "$out" | sed 's/^/# /'
}

# Django: the app's migrations applied, its orders table grown past
# safe_ddl.small_table_size.
cp -r "$here/django" "$work/django"
cd "$work/django" || exit 1
/usr/bin/python3 manage.py migrate --no-input >"$work/migrate.log" 2>&1 ||
    { cat "$work/migrate.log"; exit 1; }
psql -X -q -d shop -c "INSERT INTO shop_order (customer_id_legacy, status, created_at, total, priority)
    SELECT g % 1000, 'new', now(), g, 0 FROM generate_series(1, 100000) g; ANALYZE shop_order;" || exit 1

# 1. An atomic AddIndex: sqlmigrate prints it inside BEGIN; ... COMMIT;,
#    where safe_ddl refuses it.
cp variants/0003_add_index_atomic.py shop/migrations/0003_status_index.py
lint django /usr/bin/python3 manage.py sqlmigrate shop 0003
ok "sqlmigrate wraps the atomic migration in BEGIN" contains "$sql" "BEGIN;"
ok "the lint fails the job on a refusal (exit 1)" test $status -eq 1
ok "one line starting with reject" test "$(grep -c '^reject: ' <<<"$out")" = 1
ok "the line names the statement, table, lock and rule" \
    contains "$out" "reject: statement 2 (CREATE INDEX) on shop_order, ShareLock, rule require-concurrent-index-creation: "
ok "the hint gives the Django way" contains "$out" "AddIndexConcurrently"
ok "no other framework's hint" lacks "$out" "Alembic:"
ok "the lint says why it failed" contains "$out" "safe_ddl would refuse this migration"
ok "nothing ran: no index" test "$(psql -X -At -d shop -c "SELECT count(*) FROM pg_class WHERE relname = 'shop_order_status_idx'")" = 0

# 2. The fix: AddIndexConcurrently in a non-atomic migration passes.
cp variants/0003_add_index_concurrently.py shop/migrations/0003_status_index.py
rm -rf shop/migrations/__pycache__
lint django /usr/bin/python3 manage.py sqlmigrate shop 0003
ok "the fixed migration passes (exit 0)" test $status -eq 0
ok "and has nothing to say" test -z "$out"

# 3. Alembic's offline mode (upgrade --sql) for a plain create_index on a
#    big table, in Alembic's transaction: refused, with the Alembic hint.
psql -X -q -d shop -c "CREATE TABLE events (id int PRIMARY KEY, kind text, payload text);
    INSERT INTO events SELECT g, 'kind' || g % 10, repeat('x', 20) FROM generate_series(1, 100000) g;
    ANALYZE events;" || exit 1
cp -r "$here/alembic" "$work/alembic"
cd "$work/alembic" || exit 1
cp variants/002_index_plain.py versions/002_index.py
# The test application's env.py runs online only; offline mode as in
# Alembic's generic template.
cat >env.py <<'PY'
from alembic import context
context.configure(url="postgresql://", literal_binds=True,
                  transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
PY
lint alembic /usr/bin/python3 -m alembic -c alembic.ini upgrade 001:002 --sql
ok "alembic --sql prints the index in a transaction" contains "$sql" "BEGIN;"
ok "alembic: the lint fails the job (exit 1)" test $status -eq 1
ok "alembic: the finding names the table and rule" \
    contains "$out" "on events, ShareLock, rule require-concurrent-index-creation"
ok "alembic: the hint gives the Alembic way" contains "$out" "postgresql_concurrently=True"
ok "alembic: its UPDATE alembic_version is no finding" lacks "$out" "UPDATE"

# 4. A check that cannot run is not a pass: no such database.
echo "CREATE INDEX ON events (kind);" | "$lint" -d no_such_db >/dev/null 2>&1
ok "a connection failure exits 2" test $? -eq 2

done_testing
