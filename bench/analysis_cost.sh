#!/usr/bin/env bash
# Per-statement cost of safe_ddl's analysis (a benchmark, not a test).
#
#   PGHOST=... PGPORT=... PGDATABASE=... bench/analysis_cost.sh [seconds]
#
# Needs a running server with safe_ddl in shared_preload_libraries and the
# extension created in PGDATABASE, pgbench in PATH, and a superuser.
#
# 1. Non-DDL utility statements (SET, SHOW, BEGIN/COMMIT) pay only the hook's
#    switch on the node tag: their latency with safe_ddl.mode = enforce is
#    compared with safe_ddl.mode = off.
# 2. DDL: safe_ddl.check() of one DDL statement, minus safe_ddl.check() of a
#    SET (same parsing and function-call overhead, no analysis), is the cost
#    of analysing that statement against the live catalog.
set -euo pipefail
secs=${1:-5}
work=$(mktemp -d)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT

psql -X -q -v ON_ERROR_STOP=1 <<'SQL' >/dev/null 2>&1
SET safe_ddl.mode = off;
DROP TABLE IF EXISTS bench_child, bench_t, bench_ref;
CREATE TABLE bench_ref (id int PRIMARY KEY);
CREATE TABLE bench_t (id int PRIMARY KEY, a int, c varchar(10), ref_id int REFERENCES bench_ref);
CREATE INDEX ON bench_t (a);
CREATE TABLE bench_child (id int, t_id int REFERENCES bench_t);
INSERT INTO bench_ref SELECT generate_series(1, 1000);
INSERT INTO bench_t SELECT g, g, 'x', g FROM generate_series(1, 1000) g;
SQL

run() {	# run NAME SQL: average latency in ms, from the transaction rate
    local name=$1; shift
    printf '%s\n' "$@" > "$work/$name.sql"
    pgbench -n -T "$secs" -f "$work/$name.sql" -c 1 "${PGDATABASE:-postgres}" |
        awk '/^tps/ {printf "%.4f\n", 1000 / $3}'
}

opts() { PGOPTIONS="-c safe_ddl.mode=$1" "${@:2}"; }

printf '%-44s %12s %12s\n' "non-DDL utility statement" "mode=off ms" "enforce ms"
for stmt in "SET work_mem = '64MB';" "SHOW work_mem;" "BEGIN;
COMMIT;"; do
    off=$(opts off run plain "$stmt")
    on=$(opts enforce run plain "$stmt")
    printf '%-44s %12s %12s\n' "$(echo "$stmt" | tr '\n' ' ')" "$off" "$on"
done

echo
base=$(run base "SELECT count(*) FROM safe_ddl.check('SET work_mem = 1');")
printf '%-70s %10s\n' "check() of a SET (parse + call overhead)" "$base ms"
for ddl in \
    "CREATE INDEX ON bench_t (c)" \
    "ALTER TABLE bench_t ADD COLUMN x int DEFAULT 0" \
    "ALTER TABLE bench_t ALTER COLUMN c TYPE varchar(20)" \
    "ALTER TABLE bench_t ALTER COLUMN a SET NOT NULL" \
    "ALTER TABLE bench_t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES bench_ref" \
    "DROP TABLE bench_t CASCADE" \
    "VACUUM FULL bench_t"; do
    t=$(run ddl "SELECT count(*) FROM safe_ddl.check('$ddl');")
    awk -v t="$t" -v b="$base" -v d="$ddl" \
        'BEGIN { printf "%-70s %10s ms  (analysis ~%.3f ms)\n", d, t, t - b }'
done

psql -X -q -c "SET safe_ddl.mode = off" -c "DROP TABLE IF EXISTS bench_child, bench_t, bench_ref"
