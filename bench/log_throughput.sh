#!/usr/bin/env bash
# How many events per second the lock log absorbs without dropping any, at
# the default buffer size (safe_ddl.log_buffer_size = 256) and flush
# interval.
#
#   bench/log_throughput.sh [SECONDS] [RATES...]
#       SECONDS  length of each run (default 10)
#       RATES    events per second offered, with pgbench --rate; "max" runs
#                unthrottled (default: 500 1000 2000 4000 8000 max)
#
# Each run: pgbench clients send the cheapest statement safe_ddl intercepts
# and logs (CREATE TABLE IF NOT EXISTS on a table that exists: a NOTICE,
# no catalog change), so the events arrive as fast as this machine can make
# them.  For each offered rate the script prints the rate achieved, the
# events written by the log writer, and the events dropped (buffer full);
# log_status() is read before and after, once the writer has emptied the
# buffer.  The absorbed rate is the highest with 0 dropped.
#
# Uses the extension installed with "make install DESTDIR=$SAFE_DDL_DESTDIR"
# when that is set, else builds and installs one into a temporary DESTDIR.
# Runs the server as the postgres OS user when started as root.
set -euo pipefail

seconds=${1:-10}
shift || true
rates=("$@")
[ ${#rates[@]} -gt 0 ] || rates=(500 1000 2000 4000 8000 max)
clients=${SDDL_BENCH_CLIENTS:-4}
source "$(dirname "${BASH_SOURCE[0]}")/log_lib.sh"

bench_workdir sddl_tput

bench_install

bench_initdb
cat >>"$work/data/postgresql.conf" <<EOF
max_connections = 50
shared_preload_libraries = 'safe_ddl'
EOF
as_owner "$bindir/pg_ctl" -D "$work/data" -l "$work/server.log" -w start >/dev/null

psql_() { as_owner "$bindir/psql" -X -q -At -h "$work" -p "$port" -d postgres "$@"; }
psql_ -c 'CREATE EXTENSION safe_ddl'
for c in $(seq 1 "$clients"); do
    psql_ -c "CREATE TABLE tput_$c (a int)"
done
# pgbench numbers clients from 0
cat >"$work/ddl.sql" <<'EOF'
\set cid :client_id + 1
CREATE TABLE IF NOT EXISTS tput_:cid (a int);
EOF
chmod 644 "$work/ddl.sql"

# counters: "written dropped"; waits for the writer to empty the buffer
counters() {
    local i
    for i in $(seq 1 300); do
        [ "$(psql_ -c 'SELECT buffered FROM safe_ddl.log_status()')" = 0 ] && break
        sleep 0.1
    done
    psql_ -c 'SELECT written, dropped FROM safe_ddl.log_status()' | tr '|' ' '
}

echo "lock log throughput: buffer $(psql_ -c 'SHOW safe_ddl.log_buffer_size') events, flush interval $(psql_ -c 'SHOW safe_ddl.log_flush_interval'), $clients clients, ${seconds} s per run"
printf '%10s %12s %10s %10s %8s\n' offered achieved/s events written dropped
for rate in "${rates[@]}"; do
    read -r w0 d0 <<<"$(counters)"
    opts=(-n -c "$clients" -j "$clients" -T "$seconds" -f "$work/ddl.sql")
    [ "$rate" = max ] || opts+=(--rate="$rate")
    out=$(as_owner "$bindir/pgbench" -h "$work" -p "$port" "${opts[@]}" postgres 2>"$work/pgbench.err") ||
        { cat "$work/pgbench.err" >&2; exit 1; }
    tx=$(awk '/number of transactions actually processed/ {split($NF, a, "/"); print a[1]}' <<<"$out")
    tps=$(awk '/^tps = / {printf "%.0f", $3}' <<<"$out")
    read -r w1 d1 <<<"$(counters)"
    printf '%10s %12s %10s %10s %8s\n' "$rate" "$tps" "$tx" "$((w1 - w0))" "$((d1 - d0))"
done
