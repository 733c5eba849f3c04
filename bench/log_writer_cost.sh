#!/usr/bin/env bash
# Instructions the lock log writer runs per event, measured on the writer
# itself: the server runs under valgrind's callgrind, which writes the
# counts of each process when it exits.
#
#   bench/log_writer_cost.sh [TABLES]    (default 100 tables = 400 events)
#   SDDL_REPLAY_DB=app bench/log_writer_cost.sh
#                                        the replay in another database
#                                        than the writer's (postgres)
#
# The workload is bench/log_overhead.sh's fresh-install replay (per table:
# CREATE TABLE with a bigserial primary key, two CREATE INDEX, ADD COLUMN),
# so the events are those of a real migration.  The writer is woken with
# SIGTERM once all are issued, writes what it still holds and exits, and
# callgrind then writes the counts of its whole life.  The same for 4
# events; the per-event cost is (cost(N) - cost(4)) / (N - 4).  The writer
# writes during the replay too, whenever the default buffer (256 events) is
# half full: batches of 128, as a replay that runs faster than the flush
# interval (1 s) makes them in production.  The flush interval is set to an
# hour here only because callgrind slows the replay down 50-fold.  Compare with the
# "not preloaded" instructions per statement of log_overhead.sh --callgrind.
#
# Uses the extension installed with "make install DESTDIR=$SAFE_DDL_DESTDIR"
# when that is set, else builds and installs one into a temporary DESTDIR.
# Runs the server as the postgres OS user when started as root.  Slow: every
# process of the server runs under callgrind.
set -euo pipefail

tables=${1:-100}
source "$(dirname "${BASH_SOURCE[0]}")/log_lib.sh"
command -v valgrind >/dev/null || { echo "valgrind is needed" >&2; exit 2; }

bench_workdir sddl_wcost
stop() { as_owner "$bindir/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true; }
# SDDL_BENCH_KEEP=1 keeps $work, with every process's callgrind file
# (callgrind_annotate cg.PID shows where the writer spends)
trap 'stop; sleep 2; [ -n "${SDDL_BENCH_KEEP:-}" ] && echo "kept $work" || rm -rf "$work"' EXIT

bench_install

events=$((tables * 4))
as_owner "$bindir/initdb" -D "$work/data" -A trust >/dev/null
cat >>"$work/data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$work'
fsync = off
shared_preload_libraries = 'safe_ddl'
safe_ddl.log_flush_interval = '1h'
extension_destdir = '$SAFE_DDL_DESTDIR'
dynamic_library_path = '$SAFE_DDL_DESTDIR$pkglibdir:\$libdir'
EOF

# every process under callgrind (children follow the fork); the writer's
# file is found by its pid
as_owner bash -c "cd '$work' && nohup valgrind --tool=callgrind --vgdb=no \
    --callgrind-out-file='$work/cg.%p' '$bindir/postgres' -D '$work/data' \
    >'$work/server.log' 2>&1 &"
psql_() { as_owner "$bindir/psql" -X -q -At -h "$work" -d postgres "$@"; }
for _ in $(seq 1 600); do
    psql_ -c 'SELECT 1' >/dev/null 2>&1 && break
    sleep 1
done
psql_ -c 'CREATE EXTENSION safe_ddl'
# The replay's database.  Default: the writer's own, the worst case, where
# every invalidation message of the replay concerns the writer's database.
replay_db=${SDDL_REPLAY_DB:-postgres}
[ "$replay_db" = postgres ] || psql_ -c "CREATE DATABASE $replay_db"

wait_idle() {	# the writer has written everything and sleeps
    for _ in $(seq 1 600); do
        [ "$(psql_ -c "SELECT buffered = 0 AND worker_pid IS NOT NULL FROM safe_ddl.log_status()")" = t ] &&
            [ "$(psql_ -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'safe_ddl log writer' AND wait_event = 'Extension'")" = 1 ] &&
            return 0
        sleep 1
    done
    echo "the writer did not go idle" >&2
    exit 1
}

# cost N FIRST: instructions of one writer's whole life (start, idle
# wake-ups, writing the N events of tables FIRST .. FIRST + N/4 - 1, exit)
cost() {
    local n=$1 first=$2 pid i
    wait_idle
    pid=$(psql_ -c 'SELECT worker_pid FROM safe_ddl.log_status()')
    {
        for i in $(seq "$first" $((first + n / 4 - 1))); do
            echo "CREATE TABLE t_$i (id bigserial PRIMARY KEY, a int, b text, c timestamptz);"
            echo "CREATE INDEX t_${i}_a ON t_$i (a);"
            echo "CREATE INDEX t_${i}_b ON t_$i (b);"
            echo "ALTER TABLE t_$i ADD COLUMN d int;"
        done
    } | as_owner "$bindir/psql" -X -q -h "$work" -d "$replay_db" -v ON_ERROR_STOP=1 >/dev/null
    # SIGTERM: the writer writes what is buffered and exits; callgrind
    # writes its counts then
    psql_ -c "SELECT pg_terminate_backend($pid)" >/dev/null
    for _ in $(seq 1 600); do
        [ -s "$work/cg.$pid" ] && ! kill -0 "$pid" 2>/dev/null && break
        sleep 1
    done
    awk '/^summary:/ {print $2}' "$work/cg.$pid"
}

cost 4 1 >/dev/null		# the first writer found no table at its start
c1=$(cost 4 2)
cn=$(cost "$events" 3)
per_event=$(((cn - c1) / (events - 4)))
echo "lock log writer: $cn instructions in a life writing $events events, $c1 writing 4"
echo "writer, per event: $per_event instructions"
