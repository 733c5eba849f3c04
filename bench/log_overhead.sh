#!/usr/bin/env bash
# Overhead of the lock log when replaying a fresh install: many small tables,
# their indexes and a column added to each, every statement in its own
# transaction, as a migration tool replays them.
#
#   bench/log_overhead.sh [TABLES] [ROUNDS]     (defaults: 1000 tables = 4000
#                                                DDL statements, 5 rounds)
#   bench/log_overhead.sh --callgrind [TABLES]  (default 100 tables)
#
# Timings on a shared or virtual machine are noisy.  --callgrind counts
# instructions instead, which does not depend on the machine's load: the
# replay runs in a single-user backend under valgrind's callgrind, once per
# configuration (and once empty, to subtract start-up).  The writer's
# share comes from bench/log_writer_cost.sh, which measures the writer
# process itself writing the same events.
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

mode=time
if [ "${1:-}" = --callgrind ]; then
    mode=callgrind
    shift
fi
tables=${1:-$([ $mode = callgrind ] && echo 100 || echo 1000)}
rounds=${2:-5}
source "$(dirname "${BASH_SOURCE[0]}")/log_lib.sh"

bench_workdir sddl_bench

bench_install

bench_initdb

# The workload: 4 DDL statements per table.  The backend's CPU time is
# read from /proc at the end, by the session itself.
{
echo 'SELECT pg_backend_pid() AS pid \gset'
for i in $(seq 1 "$tables"); do
    echo "CREATE TABLE t_$i (id bigserial PRIMARY KEY, a int, b text, c timestamptz);"
    echo "CREATE INDEX t_${i}_a ON t_$i (a);"
    echo "CREATE INDEX t_${i}_b ON t_$i (b);"
    echo "ALTER TABLE t_$i ADD COLUMN d int;"
done
echo '\setenv SDDL_BENCH_PID :pid'
echo "\\! cat /proc/\$SDDL_BENCH_PID/stat > $work/backend.stat"
} >"$work/workload.sql"
chmod 644 "$work/workload.sql"
statements=$((tables * 4))

if [ $mode = callgrind ]; then
    command -v valgrind >/dev/null || { echo "valgrind is needed for --callgrind" >&2; exit 2; }
    grep -v '^\\' "$work/workload.sql" | grep -v '^SELECT pg_backend_pid' >"$work/plain.sql"
    : >"$work/empty.sql"
    chmod 644 "$work/plain.sql" "$work/empty.sql"

    # ir INPUT DATABASE OPTIONS...: instructions a single-user backend runs
    ir() {
        local input=$1 db=$2 out
        shift 2
        out=$work/cg.$RANDOM$RANDOM
        # Not counted: the save of the buffer at the backend's exit (a
        # single-user backend saves what no writer wrote, as the postmaster
        # does at a crash); no statement waits for it.  --collect-atstart
        # must follow --toggle-collect, which turns it off.
        as_owner valgrind --tool=callgrind --callgrind-out-file="$out" \
            --toggle-collect='sddl_log_persist_save' --collect-atstart=yes \
            "$bindir/postgres" --single -D "$work/data" "$@" "$db" \
            <"$input" >"$out.log" 2>&1
        if grep -q 'ERROR' "$out.log"; then
            grep -m3 ERROR "$out.log" >&2
            echo "failed"	# not a number: the caller's arithmetic stops the script
            return 1
        fi
        awk '/^summary:/ {print $2}' "$out"
    }
    # cost CONFIG OPTIONS...: instructions per statement of the replay
    cost() {
        local db=$1 e w
        shift
        as_owner "$bindir/postgres" --single -D "$work/data" postgres \
            <<<"CREATE DATABASE $db" >/dev/null 2>&1
        e=$(ir "$work/empty.sql" "$db" "$@") || exit 1
        w=$(ir "$work/plain.sql" "$db" "$@") || exit 1
        echo $(((w - e) / statements))
    }
    pre="-c shared_preload_libraries=safe_ddl -c safe_ddl.log_buffer_size=$((statements + 16))"
    echo "counting instructions for $statements DDL statements per configuration (slow)" >&2
    c_vanilla=$(cost b_vanilla -c shared_preload_libraries=) || exit 1
    # shellcheck disable=SC2086
    c_off=$(cost b_off $pre -c safe_ddl.mode=off) || exit 1
    # shellcheck disable=SC2086
    c_logoff=$(cost b_logoff $pre -c safe_ddl.mode=observe -c safe_ddl.log_level=off) || exit 1
    # shellcheck disable=SC2086
    c_logall=$(cost b_logall $pre -c safe_ddl.mode=observe -c safe_ddl.log_level=all) || exit 1

    # The writer's work per event, measured on the writer itself
    c_writer=$(SAFE_DDL_DESTDIR=$SAFE_DDL_DESTDIR bash "$root/bench/log_writer_cost.sh" "$tables" |
        awk '/^writer, per event:/ {print $4}')
    [ -n "$c_writer" ] || { echo "bench/log_writer_cost.sh failed" >&2; exit 1; }

    pc() { echo "scale=2; 100 * ($1) / $2" | bc -l; }
    echo "instructions per DDL statement (single-user backend, $statements statements)"
    printf '  %-28s %12s\n' "vanilla" "$c_vanilla" "mode=off" "$c_off" \
        "observe, log_level=off" "$c_logoff" "observe, log_level=all" "$c_logall"
    printf '  %-28s %12s\n' "writer, per event" "$c_writer"
    echo
    echo "logging in the backend (log all - log off):   $(pc "$c_logall - $c_logoff" "$c_vanilla") % of a vanilla statement"
    echo "logging in total (backend + writer):          $(pc "$c_logall - $c_logoff + $c_writer" "$c_vanilla") %"
    echo "safe_ddl with log all vs vanilla, backend:    $(pc "$c_logall - $c_vanilla" "$c_vanilla") %"
    echo "safe_ddl mode=off vs vanilla:                 $(pc "$c_off - $c_vanilla" "$c_vanilla") %"
    exit 0
fi

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

cpu() {	# cpu PID -> CPU seconds (user + system) the process has used
    [ -n "$1" ] && [ -r "/proc/$1/stat" ] || { echo 0; return; }
    awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"
}

writer_pid() {
    psql_ -d postgres -At -c 'SELECT worker_pid FROM safe_ddl.log_status()' 2>/dev/null || true
}

# run PGOPTIONS: prints "WALL CPU": wall-clock seconds of the replay, and
# CPU seconds of the backend that ran it plus the lock log writer's.
run() {
    psql_ -d postgres -c 'SET client_min_messages = warning' \
        -c 'DROP DATABASE IF EXISTS bench' -c 'CREATE DATABASE bench'
    psql_ -d postgres -c 'CHECKPOINT'
    local t0 t1 w wcpu0 wcpu1 bcpu
    w=$(writer_pid)
    wcpu0=$(cpu "$w")
    rm -f "$work/backend.stat"
    t0=$(date +%s.%N)
    PGOPTIONS="$1" psql_ -d bench -f "$work/workload.sql"
    t1=$(date +%s.%N)
    # let the writer finish what it was given
    if [ -n "$w" ]; then
        for _ in $(seq 1 100); do
            [ "$(psql_ -d postgres -At -c 'SELECT buffered FROM safe_ddl.log_status()')" = 0 ] && break
            sleep 0.1
        done
    fi
    wcpu1=$(cpu "$w")
    bcpu=$(awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "$work/backend.stat")
    echo "$(echo "$t1 - $t0" | bc -l) $(echo "$bcpu + $wcpu1 - $wcpu0" | bc -l)"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
minimum() { sort -n | head -1; }

declare -A times cpus
names=("vanilla" "mode=off" "log off" "log all" "log non_allowed")
declare -A opts=(
    ["vanilla"]=""
    ["mode=off"]="-c safe_ddl.mode=off"
    ["log off"]="-c safe_ddl.mode=observe -c safe_ddl.log_level=off"
    ["log all"]="-c safe_ddl.mode=observe -c safe_ddl.log_level=all"
    ["log non_allowed"]="-c safe_ddl.mode=observe -c safe_ddl.log_level=non_allowed"
)

echo "replaying $statements DDL statements ($tables tables), $rounds rounds per configuration" >&2
for r in $(seq 1 "$rounds"); do
    # every round restarts both ways and interleaves the configurations, so
    # that machine noise and cache state hit all of them alike
    server ""
    [ "$r" = 1 ] && run "" >/dev/null	# warm-up
    read -r wall c < <(run "")
    times["vanilla"]+="$wall "; cpus["vanilla"]+="$c "
    server safe_ddl
    [ "$r" = 1 ] && run "${opts["log all"]}" >/dev/null	# warm-up
    for n in "mode=off" "log off" "log all" "log non_allowed"; do
        read -r wall c < <(run "${opts[$n]}")
        times["$n"]+="$wall "; cpus["$n"]+="$c "
    done
done
written=$(psql_ -d postgres -At -c 'SELECT written FROM safe_ddl.log_status()')
dropped=$(psql_ -d postgres -At -c 'SELECT dropped FROM safe_ddl.log_status()')

declare -A med best cmed cbest
for n in "${names[@]}"; do
    med[$n]=$(tr ' ' '\n' <<<"${times[$n]}" | grep -v '^$' | median)
    best[$n]=$(tr ' ' '\n' <<<"${times[$n]}" | grep -v '^$' | minimum)
    cmed[$n]=$(tr ' ' '\n' <<<"${cpus[$n]}" | grep -v '^$' | median)
    cbest[$n]=$(tr ' ' '\n' <<<"${cpus[$n]}" | grep -v '^$' | minimum)
done
pct() {	# pct A B: how much more A costs than B
    printf 'wall %6.2f %% (medians %6.2f %%), CPU %6.2f %% (medians %6.2f %%)' \
        "$(echo "100 * (${best[$1]} - ${best[$2]}) / ${best[$2]}" | bc -l)" \
        "$(echo "100 * (${med[$1]} - ${med[$2]}) / ${med[$2]}" | bc -l)" \
        "$(echo "100 * (${cbest[$1]} - ${cbest[$2]}) / ${cbest[$2]}" | bc -l)" \
        "$(echo "100 * (${cmed[$1]} - ${cmed[$2]}) / ${cmed[$2]}" | bc -l)"
}

echo "wall: replay time; CPU: backend + lock log writer; best = least disturbed round"
printf '%-16s %8s %8s %8s %8s %9s\n' configuration "best s" "median s" "CPU s" "CPU med" "stmts/s"
for n in "${names[@]}"; do
    printf '%-16s %8.3f %8.3f %8.3f %8.3f %9.0f\n' "$n" "${best[$n]}" "${med[$n]}" \
        "${cbest[$n]}" "${cmed[$n]}" "$(echo "$statements / ${best[$n]}" | bc -l)"
done
for n in "${names[@]}"; do
    printf '  %-16s wall: %s\n  %-16s CPU:  %s\n' "$n" "${times[$n]}" "" "${cpus[$n]}"
done
echo
echo "logging, log all vs log off:          $(pct "log all" "log off")"
echo "logging, log non_allowed vs log off:  $(pct "log non_allowed" "log off")"
echo "safe_ddl with log all vs vanilla:     $(pct "log all" "vanilla")"
echo "safe_ddl mode=off vs vanilla:         $(pct "mode=off" "vanilla")"
echo "lock log rows written: $written, events dropped: $dropped"
