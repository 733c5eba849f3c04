#!/usr/bin/env bash
# Availability benchmark: a fixed-rate pgbench workload and, a few seconds
# in, one migration step; how long does the application stall?
#
#   bench/run.sh                      everything (about 12 minutes on 2 cores)
#   SCENARIOS="a" MODES="vanilla safe_ddl" bench/run.sh
#
# Modes: vanilla (naive SQL, safe_ddl not loaded), best (hand-written best
# practice, safe_ddl not loaded), safe_ddl (naive SQL, safe_ddl preloaded,
# default settings), safe_ddl-<strategy> (naive SQL with
# safe_ddl.lock_wait_strategy = <strategy>), safe_ddl-defer (naive SQL with
# safe_ddl.defer = 'index, validation', then wait_deferred(): ready_s is
# when the index or constraint is there), plus a no-migration baseline.
#
# Runs its own throw-away server (as the postgres OS user when started as
# root) in $BENCH_DIR; results go to bench/results/<timestamp>/ (summary.tsv,
# one directory per run with pgbench's per-transaction logs) and the plots
# to bench/plots/ (or $PLOTS).  Not a test: numbers depend on the machine.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
PG_CONFIG=${PG_CONFIG:-pg_config}
PGBIN=$($PG_CONFIG --bindir)
BENCH_DIR=${BENCH_DIR:-/tmp/sddl_bench}
PORT=${PORT:-5488}
SCALE=${SCALE:-10}
RATE=${RATE:-400}
CLIENTS=${CLIENTS:-4}
DURATION=${DURATION:-15}
MIG_AT=${MIG_AT:-3}
TPS_DURATION=${TPS_DURATION:-20}
SCENARIOS=${SCENARIOS:-"a b c d e f g"}
MODES=${MODES:-"vanilla best safe_ddl"}
STRATEGY_MODES=${STRATEGY_MODES-"safe_ddl-conditional safe_ddl-queue safe_ddl-hybrid"}
SKIP_TPS=${SKIP_TPS-}
out=${RESULTS:-$here/results/$(date -u +%Y%m%dT%H%M%SZ)}

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
say() { printf '%s  %s\n' "$(date -u +%T)" "$*" >&2; }

export PGHOST=$BENCH_DIR PGPORT=$PORT PGDATABASE=bench PGUSER=postgres
# one psql call; extra settings through PGOPTIONS (set per mode)
q() { as_pg env PGOPTIONS="${PGOPTIONS:-}" "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -c "$1"; }

# --- server ---------------------------------------------------------------
setup_server() {
    mkdir -p "$BENCH_DIR" "$out"
    chown postgres "$BENCH_DIR" "$out" 2>/dev/null || true
    make -s -C "$root" >/dev/null
    make -s -C "$root" install DESTDIR="$BENCH_DIR/inst" >/dev/null
    if [ ! -d "$BENCH_DIR/data" ]; then
        as_pg "$PGBIN/initdb" -D "$BENCH_DIR/data" -A trust >/dev/null
        local lib
        lib=$($PG_CONFIG --pkglibdir)
        cat >>"$BENCH_DIR/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$BENCH_DIR'
port = $PORT
shared_buffers = 256MB
max_connections = 40
checkpoint_timeout = 30min
max_wal_size = 4GB
synchronous_commit = off
extension_destdir = '$BENCH_DIR/inst'
dynamic_library_path = '$BENCH_DIR/inst$lib:\$libdir'
include_if_exists = 'preload.conf'
CONF
    fi
}

# server_with preload|vanilla: (re)start with or without safe_ddl
current=
server_with() {
    [ "$current" = "$1" ] && return
    as_pg "$PGBIN/pg_ctl" -D "$BENCH_DIR/data" -m fast stop >/dev/null 2>&1 || true
    if [ "$1" = preload ]; then
        echo "shared_preload_libraries = 'safe_ddl'" >"$BENCH_DIR/data/preload.conf"
    else
        : >"$BENCH_DIR/data/preload.conf"
    fi
    as_pg "$PGBIN/pg_ctl" -D "$BENCH_DIR/data" -l "$BENCH_DIR/server.log" -w start >/dev/null
    current=$1
    if ! as_pg "$PGBIN/psql" -X -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = 'bench'" | grep -q 1; then
        say "initialising pgbench scale $SCALE"
        as_pg "$PGBIN/createdb" bench
        as_pg "$PGBIN/pgbench" -i -q -s "$SCALE" bench >/dev/null 2>&1
    fi
    if [ "$1" = preload ]; then
        q "CREATE EXTENSION IF NOT EXISTS safe_ddl;" >/dev/null
        # the lock log lives in safe_ddl.database (postgres): each run's
        # rows go to lock_log.tsv, the timeline of what safe_ddl did
        as_pg "$PGBIN/psql" -X -q -d postgres -c "CREATE EXTENSION IF NOT EXISTS safe_ddl;" >/dev/null
    fi
    return 0
}

source "$here/scenarios.sh"

# --- one run --------------------------------------------------------------
# run_one SCENARIO MODE: pgbench at a fixed rate, the migration at MIG_AT s
run_one() {
    local sc=$1 mode=$2 dir=$out/$1-$2 start end rc strategy=
    mkdir -p "$dir"; chown postgres "$dir" 2>/dev/null || true
    case $mode in
    vanilla|best|none) server_with vanilla ;;
    safe_ddl*) server_with preload ;;
    esac
    case $mode in safe_ddl-defer) ;; safe_ddl-*) strategy=${mode#safe_ddl-} ;; esac
    [ "$sc" != none ] && PGOPTIONS="-c safe_ddl.mode=off" "undo_$sc" >/dev/null 2>&1 || true
    q "CHECKPOINT;" >/dev/null
    say "run $sc / $mode"
    (cd "$dir" && as_pg "$PGBIN/pgbench" -n -R "$RATE" -c "$CLIENTS" -j 2 -T "$DURATION" \
        -l --log-prefix=tx bench >pgbench.out 2>&1) &
    local bench_pid=$!
    local t0
    t0=$(date +%s.%N)
    sleep "$MIG_AT"
    if [ "$sc" != none ]; then
        if declare -f "pre_$sc" >/dev/null; then "pre_$sc" & sleep 0.5; fi
        start=$(date +%s.%N)
        set +e
        if [ "$mode" = best ]; then
            "best_$sc" >"$dir/migration.out" 2>&1
        elif [ "$mode" = safe_ddl-defer ]; then
            PGOPTIONS="-c safe_ddl.defer=index,validation" "naive_$sc" >"$dir/migration.out" 2>&1
        elif [ -n "$strategy" ]; then
            PGOPTIONS="-c safe_ddl.lock_wait_strategy=$strategy" "naive_$sc" >"$dir/migration.out" 2>&1
        else
            "naive_$sc" >"$dir/migration.out" 2>&1
        fi
        rc=$?
        end=$(date +%s.%N)
        # deferred builds: the index is there once the worker built it
        ready=$end
        if [ "$mode" = safe_ddl-defer ] && [ "$rc" -eq 0 ]; then
            q "SELECT * FROM safe_ddl.wait_deferred('10 min');" >>"$dir/migration.out" 2>&1
            ready=$(date +%s.%N)
        fi
        set -e
        printf 'start %s\nend %s\nrc %s\nready %s\nt0 %s\n' \
            "$(echo "$start - $t0" | bc)" "$(echo "$end - $t0" | bc)" "$rc" \
            "$(echo "$ready - $t0" | bc)" "$t0" >"$dir/migration.txt"
    fi
    wait "$bench_pid" || true
    wait || true
    if [ "$current" = preload ] && [ "$sc" != none ]; then
        # what safe_ddl logged during the run (seconds since pgbench start)
        sleep 1.5	# safe_ddl.log_flush_interval
        as_pg "$PGBIN/psql" -X -q -At -F $'\t' -d postgres -c "
            SELECT round((extract(epoch FROM logged_at) - $t0)::numeric, 3),
                   command, outcome, rule, round(lock_wait_ms::numeric, 1),
                   attempts, round(duration_ms::numeric, 1), error
              FROM safe_ddl.lock_log
             WHERE logged_at >= to_timestamp($t0) ORDER BY logged_at" \
            >"$dir/lock_log.tsv" 2>&1 || true
    fi
    python3 "$here/analyze.py" run "$dir" "$sc" "$mode" >>"$out/summary.tsv"
}

# --- select-only throughput with and without safe_ddl ---------------------
tps_one() {	# tps_one vanilla|preload
    server_with "$1"
    as_pg "$PGBIN/pgbench" -n -S -c "$CLIENTS" -j 2 -T "$TPS_DURATION" bench 2>/dev/null |
        awk -v m="$1" '/^tps/ { printf "%s\t%s\n", m, $3 }' >>"$out/tps.tsv"
}

setup_server
printf 'scenario\tmode\tmax_ms\tp99_ms\tp999_ms\tfreeze_ms\tslow_gt100ms\ttxns\tmig_s\toutcome\tready_s\n' >"$out/summary.tsv"
run_one none none
for sc in $SCENARIOS; do
    for mode in $MODES; do run_one "$sc" "$mode"; done
    if [ "$sc" = a ]; then
        for mode in $STRATEGY_MODES; do run_one a "$mode"; done
    fi
done
run_one none safe_ddl
if [ -z "$SKIP_TPS" ]; then
    : >"$out/tps.tsv"
    for i in 1 2; do tps_one vanilla; tps_one preload; done
fi
as_pg "$PGBIN/pg_ctl" -D "$BENCH_DIR/data" -m fast stop >/dev/null 2>&1 || true
python3 "$here/analyze.py" plot "$out" "${PLOTS:-$here/plots}"
say "results in $out"
column -t -s $'\t' "$out/summary.tsv"
[ -f "$out/tps.tsv" ] && cat "$out/tps.tsv"
