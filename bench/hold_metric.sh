#!/usr/bin/env bash
# Oldest wait or summed wait: which should safe_ddl.lock_hold_budget
# measure?  (issue 12, docs/lock-hold.md)
#
#   bench/hold_metric.sh [BUDGET_MS]     (default 2000, the budget's default)
#
# A migration takes ACCESS EXCLUSIVE on pgbench_accounts (BEGIN; ALTER TABLE
# ... ADD COLUMN) and stays idle in transaction for HOLD seconds (default 8)
# while an application reads the table at a fixed rate.  Its sessions queue
# behind the lock one after another, each with its own arrival time: the N
# waiters are the application's connections, so N is its pool size.  A
# sampler session reads pg_locks every 10 ms (the waiters and their
# waitstart, what the hold monitor reads from the lock manager) and the
# script reports, per workload, when each metric would have ended the
# migration and what the waiters had suffered by then:
#
#   oldest   the wait of the oldest queued session >= BUDGET_MS (safe_ddl)
#   summed   the waits of all queued sessions added >= BUDGET_MS, and >= a
#            budget calibrated to end the migration at the same moment as
#            the oldest wait does under the busiest workload
#
# Workloads (pgbench -S, select-only, at a fixed rate; RATE/CLIENTS):
#   quiet      1 query/s, 1 connection     (a back-office table)
#   moderate   20 queries/s, 8 connections
#   busy       400 queries/s, 4 connections (bench/run.sh's workload)
#   busy-pool  400 queries/s, 32 connections (a big pool)
#
# safe_ddl is not loaded: the point is what each metric would do, so the
# migration must not be ended by either.  Runs its own throw-away server
# (as the postgres OS user when started as root).  Needs pgbench and
# Python 3.
set -euo pipefail

budget=${1:-2000}
HOLD=${HOLD:-8}
WORKLOADS=${WORKLOADS:-"quiet:1:1 moderate:20:8 busy:400:4 busy-pool:400:32"}
export SAFE_DDL_DESTDIR=${SAFE_DDL_DESTDIR:-/nonexistent}	# not loaded
source "$(dirname "${BASH_SOURCE[0]}")/log_lib.sh"

bench_workdir sddl_hmetric
bench_initdb
echo "max_connections = 60" >>"$work/data/postgresql.conf"
as_owner "$bindir/pg_ctl" -D "$work/data" -l "$work/server.log" -w start >/dev/null
export PGHOST=$work PGPORT=$port PGDATABASE=postgres
psql_() { as_owner env PGHOST="$PGHOST" PGPORT="$PGPORT" PGOPTIONS="-c client_min_messages=warning" "$bindir/psql" -X -q -At -v ON_ERROR_STOP=1 "$@"; }
as_owner env PGHOST="$PGHOST" PGPORT="$PGPORT" "$bindir/pgbench" -i -q -s 1 postgres >/dev/null 2>&1

samples=$((HOLD * 100 + 300))
for w in $WORKLOADS; do
    IFS=: read -r name rate clients <<<"$w"
    psql_ -c 'ALTER TABLE pgbench_accounts DROP COLUMN IF EXISTS note'
    as_owner env PGHOST="$PGHOST" PGPORT="$PGPORT" "$bindir/pgbench" -n -S \
        -R "$rate" -c "$clients" -j 2 -T $((HOLD + 4)) postgres >"$work/pgbench.$name" 2>&1 &
    bench=$!
    # the sampler: one row per look, (seconds since the lock was taken,
    # waiters, each waiter's wait in ms)
    psql_ >"$work/samples.$name" <<SQL &
CREATE TEMP TABLE s (t timestamptz, waits float8[]);
DO \$\$
BEGIN
    FOR i IN 1..$samples LOOP
        INSERT INTO s
        SELECT ts, array_agg(extract(epoch FROM ts - l.waitstart) * 1000)
          FROM (SELECT clock_timestamp() AS ts) c
          LEFT JOIN pg_locks l
            ON l.locktype = 'relation' AND NOT l.granted
           AND l.relation = 'pgbench_accounts'::regclass
           AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
         GROUP BY ts;
        PERFORM pg_sleep(0.01);
    END LOOP;
END
\$\$;
SELECT extract(epoch FROM t), array_to_string(waits, ' ') FROM s ORDER BY t;
SQL
    sampler=$!
    sleep 1.5
    # the migration: the lock taken at "locked", held idle for HOLD s
    { echo "BEGIN; ALTER TABLE pgbench_accounts ADD COLUMN note text;"
      echo "SELECT 'locked', extract(epoch FROM clock_timestamp());"
      sleep "$HOLD"
      echo "COMMIT;"; } | psql_ >"$work/migration.$name"
    wait "$sampler" "$bench"
done

# shellcheck disable=SC2086  # one argument per workload
python3 - "$work" "$budget" "$HOLD" $WORKLOADS <<'PY'
import sys

work, budget, hold = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
names = [w.split(":") for w in sys.argv[4:]]


def load(name):
    locked = None
    for line in open(f"{work}/migration.{name}"):
        if line.startswith("locked|"):
            locked = float(line.split("|")[1])
    rows = []
    for line in open(f"{work}/samples.{name}"):
        t, _, waits = line.rstrip("\n").partition("|")
        w = [float(x) for x in waits.split()] if waits else []
        rows.append((float(t) - locked, w))
    return [(t, w) for t, w in rows if 0 <= t <= hold]


def first(rows, test):
    for t, w in rows:
        if w and test(w):
            return t, w
    return None


data = {n: load(n) for n, _, _ in names}
busiest = names[-1][0]
hit = first(data[busiest], lambda w: max(w) >= budget)
calibrated = sum(hit[1]) if hit else None


def show(res):
    if res is None:
        return f"never in {hold:.0f} s | - | - | -"
    t, w = res
    return f"{t * 1000:.0f} ms | {len(w)} | {max(w):.0f} ms | {sum(w):.0f} ms"


print(f"budget {budget:.0f} ms; migration holds ACCESS EXCLUSIVE idle for {hold:.0f} s")
print(f"summed budget calibrated on {busiest}: "
      + (f"{calibrated:.0f} ms" if calibrated else "-"))
print()
print("| workload | rate, connections | metric (budget) | ends the migration after | waiters then | oldest wait then | summed wait then |")
print("|---|---|---|---:|---:|---:|---:|")
for n, rate, clients in names:
    rows = data[n]
    peak = max((len(w) for _, w in rows), default=0)
    label = f"{n} | {rate}/s, {clients} (peak {peak} waiting)"
    print(f"| {label} | oldest ({budget:.0f} ms) | "
          + show(first(rows, lambda w: max(w) >= budget)) + " |")
    print(f"| | | summed ({budget:.0f} ms) | "
          + show(first(rows, lambda w: sum(w) >= budget)) + " |")
    if calibrated:
        print(f"| | | summed ({calibrated:.0f} ms) | "
              + show(first(rows, lambda w: sum(w) >= calibrated)) + " |")
PY
