# See exec_overhead.sh; runs as the cluster's OS user.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/cluster.sh"
work=$1
bindir=$("$PG_CONFIG" --bindir)
# pgbench scale 1: aid 1..100000, tid 1..10, bid 1
ACCOUNTS=100000
WORKLOADS=${WORKLOADS:-select tpcb utility ddl_new ddl_small}
# Enough room in the lock log's ring for every event of the longest run:
# a single-user backend has no writer to empty it, and a dropped event
# costs less than a stored one.
PRE="-c shared_preload_libraries=safe_ddl -c safe_ddl.log_buffer_size=10000"

sddl_cluster_start "$work/pg" "shared_preload_libraries = ''" >/dev/null || exit 1
"$bindir/pgbench" -i -q -s 1 postgres >/dev/null 2>&1
sddl_cluster_stop

# statements, one a line (single-user mode ends a statement at a newline)
gen() {	# gen WORKLOAD COUNT
    local i aid
    for i in $(seq "$2"); do
        aid=$(( (i * 7919) % ACCOUNTS + 1 ))
        case $1 in
        select)
            echo "SELECT abalance FROM pgbench_accounts WHERE aid = $aid;" ;;
        tpcb)
            echo "BEGIN;"
            echo "UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid = $aid;"
            echo "SELECT abalance FROM pgbench_accounts WHERE aid = $aid;"
            echo "UPDATE pgbench_tellers SET tbalance = tbalance + 1 WHERE tid = $(( i % 10 + 1 ));"
            echo "UPDATE pgbench_branches SET bbalance = bbalance + 1 WHERE bid = 1;"
            echo "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($(( i % 10 + 1 )), 1, $aid, 1, CURRENT_TIMESTAMP);"
            echo "END;" ;;
        utility)	# what drivers and frameworks send around every query
            echo "BEGIN;"
            echo "SET LOCAL work_mem = '64MB';"
            echo "SHOW work_mem;"
            echo "SET CONSTRAINTS ALL DEFERRED;"
            echo "COMMIT;"
            echo "SET application_name = 'app$((i % 7))';"
            echo "RESET application_name;" ;;
        ddl_new)	# DDL on a table created in the same transaction
            echo "BEGIN;"
            echo "CREATE TABLE n_$i (id bigserial PRIMARY KEY, a int, b text);"
            echo "CREATE INDEX n_${i}_a ON n_$i (a);"
            echo "ALTER TABLE n_$i ADD COLUMN c int;"
            echo "COMMIT;" ;;
        ddl_small)	# a fresh install, statement by statement (small tables)
            echo "CREATE TABLE s_$i (id bigserial PRIMARY KEY, a int, b text);"
            echo "CREATE INDEX s_${i}_a ON s_$i (a);"
            echo "CREATE INDEX s_${i}_b ON s_$i (b);"
            echo "ALTER TABLE s_$i ADD COLUMN c int;" ;;
        esac
    done
}

count() {	# count WORKLOAD RUN OPTIONS... -> instructions
    local w=$1 run=$2 out data=$work/run
    shift 2
    out=$work/cg.$w.$run
    # Every run starts from the same copy of the cluster: the workloads
    # write (dead tuples, new tables), and a run after another would
    # otherwise find more to do.
    rm -rf "$data"
    cp -a "$PGDATA" "$data"
    # Not counted: the save of the lock log's ring at the backend's exit
    # (a single-user backend has no writer; see log_overhead.sh).
    valgrind --tool=callgrind --callgrind-out-file="$out" \
        --toggle-collect='sddl_log_persist_save' --collect-atstart=yes \
        "$bindir/postgres" --single -D "$data" "$@" postgres \
        <"$work/$w.${run#?}" >"$out.log" 2>&1
    if grep -q ERROR "$out.log"; then
        grep -m3 ERROR "$out.log" >&2
        echo failed
        return
    fi
    awk '/^(summary|totals):/ { print $2; exit }' "$out"
}

per() {	# what one round of a workload is
    case $1 in
    select) echo "SELECT" ;;
    tpcb) echo "transaction of 7 statements" ;;
    utility) echo "round of 7 utility statements" ;;
    ddl_new) echo "transaction: CREATE TABLE, CREATE INDEX, ADD COLUMN" ;;
    ddl_small) echo "4 DDL statements, each in its own transaction" ;;
    esac
}

echo "callgrind instructions per round, single-user backend, N = $N (DDL: N/10)"
echo
echo "| workload (per round) | not preloaded | enforce, log_level = off | difference | enforce (defaults) | difference |"
echo "|---|---:|---:|---:|---:|---:|"
for w in $WORKLOADS; do
    n=$N
    [[ $w == ddl_* ]] && n=$((N / 10))
    gen "$w" "$n" >"$work/$w.1"
    gen "$w" $((2 * n)) >"$work/$w.2"
    a1=$(count "$w" a1 -c shared_preload_libraries=)
    a2=$(count "$w" a2 -c shared_preload_libraries=)
    # shellcheck disable=SC2086
    b1=$(count "$w" b1 $PRE -c safe_ddl.log_level=off)
    # shellcheck disable=SC2086
    b2=$(count "$w" b2 $PRE -c safe_ddl.log_level=off)
    # shellcheck disable=SC2086
    c1=$(count "$w" c1 $PRE)
    # shellcheck disable=SC2086
    c2=$(count "$w" c2 $PRE)
    awk -v w="$w" -v per="$(per "$w")" -v n="$n" \
        -v a1="$a1" -v a2="$a2" -v b1="$b1" -v b2="$b2" -v c1="$c1" -v c2="$c2" 'BEGIN {
        if (a1 a2 b1 b2 c1 c2 ~ /failed/) { printf "| %s | failed |\n", w; exit 1 }
        a = (a2 - a1) / n; b = (b2 - b1) / n; c = (c2 - c1) / n;
        printf "| %s (per %s) | %.0f | %.0f | %+.0f (%+.2f %%) | %.0f | %+.0f (%+.2f %%) |\n",
            w, per, a, b, b - a, 100 * (b - a) / a, c, c - a, 100 * (c - a) / a }'
done
if [ -n "${SDDL_KEEP:-}" ]; then
    echo
    echo "callgrind files kept in $work: cg.WORKLOAD.RUN, RUN a (not preloaded),"
    echo "b (log_level = off) or c (defaults), then 1 (N rounds) or 2 (2N rounds)"
fi
