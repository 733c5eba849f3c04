# See exec_overhead.sh; runs as the cluster's OS user.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/cluster.sh"
work=$1
bindir=$("$PG_CONFIG" --bindir)
# pgbench scale 1: aid 1..100000, tid 1..10, bid 1
ACCOUNTS=100000

sddl_cluster_start "$work/pg" "shared_preload_libraries = ''" >/dev/null || exit 1
"$bindir/pgbench" -i -q -s 1 postgres >/dev/null 2>&1
sddl_cluster_stop

# statements, one a line (single-user mode ends a statement at a newline)
gen() {	# gen select|tpcb COUNT
    local i aid
    for i in $(seq "$2"); do
        aid=$(( (i * 7919) % ACCOUNTS + 1 ))
        if [ "$1" = select ]; then
            echo "SELECT abalance FROM pgbench_accounts WHERE aid = $aid;"
        else
            echo "BEGIN;"
            echo "UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid = $aid;"
            echo "SELECT abalance FROM pgbench_accounts WHERE aid = $aid;"
            echo "UPDATE pgbench_tellers SET tbalance = tbalance + 1 WHERE tid = $(( i % 10 + 1 ));"
            echo "UPDATE pgbench_branches SET bbalance = bbalance + 1 WHERE bid = 1;"
            echo "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($(( i % 10 + 1 )), 1, $aid, 1, CURRENT_TIMESTAMP);"
            echo "END;"
        fi
    done
}

count() {	# count PRELOAD FILE -> instructions
    local out=$work/cg.out
    valgrind --tool=callgrind --callgrind-out-file="$out" \
        "$bindir/postgres" --single -D "$PGDATA" -c "shared_preload_libraries=$1" \
        postgres <"$2" >/dev/null 2>&1
    awk '/^(summary|totals):/ { print $2; exit }' "$out"
}

echo "callgrind instructions, single-user backend (safe_ddl.mode = enforce, its default), N = $N"
echo
echo "| workload | not preloaded | preloaded | difference |"
echo "|---|---:|---:|---:|"
for w in select tpcb; do
    gen "$w" "$N" >"$work/$w.1"
    gen "$w" $((2 * N)) >"$work/$w.2"
    a1=$(count "" "$work/$w.1")
    a2=$(count "" "$work/$w.2")
    b1=$(count safe_ddl "$work/$w.1")
    b2=$(count safe_ddl "$work/$w.2")
    awk -v w="$w" -v a1="$a1" -v a2="$a2" -v b1="$b1" -v b2="$b2" -v n="$N" 'BEGIN {
        a = (a2 - a1) / n; b = (b2 - b1) / n;
        printf "| %s (per %s) | %.0f | %.0f | %+.0f (%+.2f %%) |\n", w,
            (w == "select" ? "SELECT" : "transaction of 7 statements"), a, b, b - a, 100 * (b - a) / a }'
done
