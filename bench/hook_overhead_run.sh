# See hook_overhead.sh; runs as the cluster's OS user.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/cluster.sh"
work=$1
pgbench=$("$PG_CONFIG" --bindir)/pgbench

cat >"$work/utility.sql" <<'SQL'
SET application_name = 'bench';
SHOW work_mem;
BEGIN;
SET LOCAL statement_timeout = '5s';
SET CONSTRAINTS ALL IMMEDIATE;
COMMIT;
SQL

n=0
run() {	# run LABEL PRELOAD MODE
    local label=$1 preload=$2 mode=$3 u s
    n=$((n + 1))
    local -a ut st
    sddl_cluster_start "$work/pg$n" "shared_preload_libraries = '$preload'" \
        "safe_ddl.mode = '$mode'" "max_connections = 20" >/dev/null || return 1
    "$pgbench" -i -q -s 5 postgres >/dev/null 2>&1
    for _ in $(seq "$RUNS"); do
        ut+=("$("$pgbench" -n -c 2 -j 2 -T "$SECS" -f "$work/utility.sql" postgres 2>/dev/null | awk '/^tps/ {print $3; exit}')")
        st+=("$("$pgbench" -n -S -c 2 -j 2 -T "$SECS" postgres 2>/dev/null | awk '/^tps/ {print $3; exit}')")
    done
    sddl_cluster_stop
    u=$(printf '%s\n' "${ut[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    s=$(printf '%s\n' "${st[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    printf '| %-32s | %12.0f | %12.0f |\n' "$label" "$u" "$s"
    unset PGPORT
}

echo "median of $RUNS runs of ${SECS}s, 2 clients"
echo
echo "| configuration                    | utility TPS  | pgbench -S TPS |"
echo "|----------------------------------|--------------|----------------|"
# shared_preload_libraries needs a value: pg_stat_statements-free baseline
run "not preloaded" "" off
run "preloaded, safe_ddl.mode = off" safe_ddl off
run "preloaded, safe_ddl.mode = enforce" safe_ddl enforce
