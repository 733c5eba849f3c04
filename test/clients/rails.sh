#!/usr/bin/env bash
# A Rails application's "bin/rails db:migrate" (Active Record 6.1, Debian's
# packages, no Bundler) against a cluster with safe_ddl preloaded, on a
# table above safe_ddl.small_table_size: add_index in the migration's
# transaction is refused with the Rails fix in the HINT; the fix
# (algorithm: :concurrently, disable_ddl_transaction!) applies; add_column
# with a constant default and a widening change_column run without a
# rewrite; a rewriting change_column is refused; a rename warns.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/tap.bash"

client_cluster rails shop "safe_ddl.small_table_size = '1MB'" || exit 1

cp -r "$here/rails" "$work/app"
cd "$work/app" || exit 1
export SDDL_DB_NAME=shop RAILS_ENV=development HOME=$work

# Run the migrations; print what the developer sees (without the backtrace
# frames inside Rails) and leave it in $out, the exit status in $status.
migrate() {
    out=$(ruby bin/rails db:migrate 2>&1)
    status=$?
    out=$(grep -v '^/usr/' <<<"$out")
    echo "$out" | sed 's/^/# /'
}
# add_migration VARIANT VERSION: the variant becomes the next migration.
add_migration() {
    local class
    class=$(sed -n 's/^class \([A-Za-z]*\) .*/\1/p' "variants/$1.rb")
    cp "variants/$1.rb" "db/migrate/$2_$(sed 's/\([a-z]\)\([A-Z]\)/\1_\2/g' <<<"$class" | tr 'A-Z' 'a-z').rb"
}
drop_migration() { rm -f db/migrate/"$1"_*.rb; }
q() { psql -X -At -d shop -c "$1"; }
recorded() { test "$(q "SELECT count(*) FROM schema_migrations WHERE version = '$1'")" = 1; }
not_recorded() { test "$(q "SELECT count(*) FROM schema_migrations WHERE version = '$1'")" = 0; }
index_valid() { test "$(q "SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('$1')")" = t; }
no_relation() { test -z "$(q "SELECT to_regclass('$1')")"; }
column_type() { q "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = '$1'"; }
filenode() { q "SELECT pg_relation_filenode('orders')"; }
# refused WHAT VERSION: the migration failed and is not recorded.
refused() {
    ok "$1 fails the migration" test $status -ne 0
    ok "$1: not recorded" not_recorded "$2"
}
outcome_of() { q "SELECT string_agg(outcome, ',' ORDER BY id) FROM safe_ddl.lock_log WHERE statement LIKE '$1'"; }

# 1. A fresh install: Rails' bookkeeping tables and the first migration.
migrate
ok "fresh install migrates" test $status -eq 0
ok "fresh install: no safe_ddl message" lacks "$out" "safe_ddl"
ok "first migration recorded" recorded 20260101000001

# 2. The table grows past safe_ddl.small_table_size.
q "INSERT INTO orders (customer_id, status, total, created_at, updated_at)
   SELECT g % 1000, 'new', g, now(), now() FROM generate_series(1, 100000) g" >/dev/null &&
    q "ANALYZE orders" >/dev/null || exit 1
before=$(filenode)

# 3. add_index inside the migration's transaction is refused.
add_migration add_index_in_transaction 20260101000002
migrate
refused "add_index in the migration's transaction" 20260101000002
ok "Rails reports it as PG::FeatureNotSupported" contains "$out" "PG::FeatureNotSupported: ERROR:  creating index"
ok "wrapped in ActiveRecord::StatementInvalid" contains "$out" "ActiveRecord::StatementInvalid: PG::FeatureNotSupported"
ok "Rails cancels the later migrations" contains "$out" "this and all later migrations canceled"
ok "the message says what was refused" contains "$out" '"index_orders_on_status" on table "orders" would block writes'
ok "DETAIL names the lock" contains "$out" "DETAIL:  CREATE INDEX takes ShareLock on table \"orders\""
ok "DETAIL names the rule" contains "$out" "(rule require-concurrent-index-creation)"
ok "HINT gives the SQL" contains "$out" 'CREATE INDEX CONCURRENTLY "index_orders_on_status" ON "orders" ("status");'
ok "HINT gives the Rails fix" contains "$out" "Rails: add_index ..., algorithm: :concurrently with disable_ddl_transaction! in the migration."
ok "no index left behind" no_relation index_orders_on_status

# 4. What runs without a rewrite or a long lock applies, in one
#    "db:migrate" as a deploy would run it:
#    - what the HINT says: algorithm: :concurrently, disable_ddl_transaction!;
#    - disable_ddl_transaction! and a plain add_index: safe_ddl rewrites it,
#      and Rails (client_min_messages = warning) does not show the NOTICE;
#    - add_column with a constant default;
#    - change_column to a longer varchar.
add_migration add_index_concurrently 20260101000002
add_migration add_index_no_transaction 20260101000003
add_migration add_column_default 20260101000004
add_migration change_column_varchar 20260101000005
migrate
ok "the four migrations apply" test $status -eq 0
ok "without a word from safe_ddl" lacks "$out" "safe_ddl"
ok "all four recorded" test "$(q "SELECT count(*) FROM schema_migrations WHERE version BETWEEN '20260101000002' AND '20260101000005'")" = 4
ok "algorithm: :concurrently: the index is valid" index_valid index_orders_on_status
ok "plain add_index without a transaction: the index is valid" index_valid index_orders_on_created_at
wait_until 30 log_flushed -d shop
ok "plain add_index without a transaction: logged as rewritten" \
    test "$(outcome_of 'CREATE INDEX "index_orders_on_created_at"%')" = rewritten
ok "add_column with default: the rows have it" test "$(q "SELECT count(*) FROM orders WHERE priority = 0")" = 100000
ok "change_column to a longer string: the column is wider" test "$(column_type status)" = "character varying(50)"
ok "neither rewrote the table" test "$(filenode)" = "$before"

# 5. change_column integer -> bigint would rewrite the table: refused.
add_migration change_column_bigint 20260101000006
migrate
refused "change_column to bigint" 20260101000006
ok "the message says what was refused" contains "$out" 'PG::FeatureNotSupported: ERROR:  changing the type of column "total" of table "orders"'
ok "DETAIL names the lock" contains "$out" "takes AccessExclusiveLock on table \"orders\""
ok "DETAIL names the rule" contains "$out" "(rule changing-column-type)"
ok "HINT gives the Rails way" contains "$out" "Rails: add a new column, backfill it in batches"
ok "the column keeps its type" test "$(column_type total)" = integer
ok "the table was not rewritten" test "$(filenode)" = "$before"
drop_migration 20260101000006

# 6. A warn rule: Rails prints the WARNING (libpq's default notice
#    processor writes it to stderr) and the migration runs.
add_migration rename_column 20260101000007
migrate
ok "rename_column applies" test $status -eq 0
ok "the WARNING is shown" contains "$out" 'WARNING:  renaming column "total" of table "orders"'
ok "with its HINT's Rails line" contains "$out" "Rails: add the column to ignored_columns"
ok "migration recorded" recorded 20260101000007

wait_until 30 log_flushed -d shop
ok "the lock log has both rejections" test "$(q "SELECT count(*) FROM safe_ddl.lock_log WHERE outcome = 'rejected'")" = 2

done_testing
