#!/usr/bin/env bash
# Overhead of the lock log when replaying a fresh install: many small tables,
# their indexes and a column added to each, every statement in its own
# transaction, as a migration tool replays them.
#
#   bench/log_overhead.sh [TABLES] [ROUNDS]     (defaults: 1000 tables = 4000
#                                                DDL statements, 5 rounds)
#
# Configurations, each timed ROUNDS times on a fresh database.  The machine
# may be shared, so the best round of each (least disturbed) is compared,
# and the medians are shown too:
#   vanilla       safe_ddl not in shared_preload_libraries
#   mode=off      preloaded, safe_ddl.mode = off (hook returns at once)
#   log off       preloaded, mode = observe, safe_ddl.log_level = off
#   log all       preloaded, mode = observe, safe_ddl.log_level = all
#   log non_allowed  preloaded, mode = observe, log_level = non_allowed
# observe mode runs the whole pipeline (analysis, policy, executor) but never
# changes the statements, so "log all" versus "log off" isolates logging.
#
# Uses the extension installed with "make install DESTDIR=$SAFE_DDL_DESTDIR"
# when that is set, else builds and installs one into a temporary DESTDIR.
# Runs the server as the postgres OS user when started as root.  fsync is
# off (as in the tests): cheaper DDL makes any overhead look larger, not
# smaller.
set -euo pipefail

tables=${1:-1000}
rounds=${2:-5}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_CONFIG=${PG_CONFIG:-pg_config}
bindir=$($PG_CONFIG --bindir)
pkglibdir=$($PG_CONFIG --pkglibdir)

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

work=$(mktemp -d "${TMPDIR:-/tmp}/sddl_bench.XXXXXX")
[ "$(id -u)" -eq 0 ] && chown postgres: "$work"
trap 'as_owner "$bindir/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

if [ -z "${SAFE_DDL_DESTDIR:-}" ]; then
    echo "building safe_ddl into $work/install" >&2
    cp -r "$root" "$work/src"
    rm -rf "$work/src/.git"
    [ "$(id -u)" -eq 0 ] && chown -R postgres: "$work/src"
    as_owner make -s -C "$work/src" PG_CONFIG="$PG_CONFIG" >/dev/null
    as_owner make -s -C "$work/src" PG_CONFIG="$PG_CONFIG" install DESTDIR="$work/install" >/dev/null
    SAFE_DDL_DESTDIR=$work/install
fi

as_owner "$bindir/initdb" -D "$work/data" -A trust >/dev/null
port=$((20000 + RANDOM % 20000))
cat >>"$work/data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$work'
port = $port
fsync = off
extension_destdir = '$SAFE_DDL_DESTDIR'
dynamic_library_path = '$SAFE_DDL_DESTDIR$pkglibdir:\$libdir'
EOF

# The workload: 4 DDL statements per table.
for i in $(seq 1 "$tables"); do
    echo "CREATE TABLE t_$i (id bigserial PRIMARY KEY, a int, b text, c timestamptz);"
    echo "CREATE INDEX t_${i}_a ON t_$i (a);"
    echo "CREATE INDEX t_${i}_b ON t_$i (b);"
    echo "ALTER TABLE t_$i ADD COLUMN d int;"
done >"$work/workload.sql"
chmod 644 "$work/workload.sql"
statements=$((tables * 4))

psql_() { as_owner "$bindir/psql" -X -q -h "$work" -p "$port" -v ON_ERROR_STOP=1 "$@"; }

server() {	# server PRELOAD
    as_owner "$bindir/pg_ctl" -D "$work/data" -m fast stop >/dev/null 2>&1 || true
    sed -i '/^shared_preload_libraries/d' "$work/data/postgresql.conf"
    [ -n "$1" ] && echo "shared_preload_libraries = '$1'" >>"$work/data/postgresql.conf"
    as_owner "$bindir/pg_ctl" -D "$work/data" -l "$work/server.log" -w start >/dev/null
    if [ -n "$1" ]; then
        psql_ -d postgres -c 'CREATE EXTENSION IF NOT EXISTS safe_ddl'
    fi
}

run() {	# run PGOPTIONS -> seconds
    psql_ -d postgres -c 'SET client_min_messages = warning' \
        -c 'DROP DATABASE IF EXISTS bench' -c 'CREATE DATABASE bench'
    psql_ -d postgres -c 'CHECKPOINT'
    local t0 t1
    t0=$(date +%s.%N)
    PGOPTIONS="$1" psql_ -d bench -f "$work/workload.sql"
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc -l
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
minimum() { sort -n | head -1; }

declare -A times
names=("vanilla" "mode=off" "log off" "log all" "log non_allowed")
declare -A opts=(
    ["vanilla"]=""
    ["mode=off"]="-c safe_ddl.mode=off"
    ["log off"]="-c safe_ddl.mode=observe -c safe_ddl.log_level=off"
    ["log all"]="-c safe_ddl.mode=observe -c safe_ddl.log_level=all"
    ["log non_allowed"]="-c safe_ddl.mode=observe -c safe_ddl.log_level=non_allowed"
)

echo "replaying $statements DDL statements ($tables tables), $rounds rounds per configuration" >&2
server ""
run "" >/dev/null	# warm-up
for r in $(seq 1 "$rounds"); do
    times["vanilla"]+="$(run "") "
done
server safe_ddl
run "${opts["log all"]}" >/dev/null	# warm-up
for r in $(seq 1 "$rounds"); do
    # interleaved, so that machine noise hits every configuration alike
    for n in "mode=off" "log off" "log all" "log non_allowed"; do
        times["$n"]+="$(run "${opts[$n]}") "
    done
done
written=$(psql_ -d postgres -At -c 'SELECT written FROM safe_ddl.log_status()')
dropped=$(psql_ -d postgres -At -c 'SELECT dropped FROM safe_ddl.log_status()')

declare -A med best
for n in "${names[@]}"; do
    med[$n]=$(tr ' ' '\n' <<<"${times[$n]}" | grep -v '^$' | median)
    best[$n]=$(tr ' ' '\n' <<<"${times[$n]}" | grep -v '^$' | minimum)
done
pct() {	# pct A B: how much slower A is than B, best rounds (medians)
    printf '%6.2f %% (medians: %6.2f %%)' \
        "$(echo "100 * (${best[$1]} - ${best[$2]}) / ${best[$2]}" | bc -l)" \
        "$(echo "100 * (${med[$1]} - ${med[$2]}) / ${med[$2]}" | bc -l)"
}

printf '%-16s %8s %8s %10s   %s\n' configuration "best s" "median s" "stmts/s" "all rounds (s)"
for n in "${names[@]}"; do
    printf '%-16s %8.3f %8.3f %10.0f   %s\n' "$n" "${best[$n]}" "${med[$n]}" \
        "$(echo "$statements / ${best[$n]}" | bc -l)" "${times[$n]}"
done
echo
echo "logging overhead, log all vs log off:          $(pct "log all" "log off")"
echo "logging overhead, log non_allowed vs log off:  $(pct "log non_allowed" "log off")"
echo "safe_ddl with log all vs vanilla:              $(pct "log all" "vanilla")"
echo "safe_ddl mode=off vs vanilla:                  $(pct "mode=off" "vanilla")"
echo "lock log rows written: $written, events dropped: $dropped"
