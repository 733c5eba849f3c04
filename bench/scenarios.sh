# Migration scenarios of the availability benchmark, sourced by bench/run.sh.
#
# For each scenario X:
#   naive_X   the SQL a migration tool or a developer writes; run as is in
#             the "vanilla" and "safe_ddl" modes
#   best_X    the hand-written best practice on vanilla PostgreSQL
#             (lock_timeout + retry loop, NOT VALID + VALIDATE,
#             CREATE INDEX CONCURRENTLY)
#   undo_X    put the table back for the next run (run without load)
#   pre_X     optional: started in the background just before the migration
#
# All run through "q" (one psql call, one implicit transaction per call).

T=pgbench_accounts

# retry SQL with lock_timeout = 100ms until it succeeds (at most 60 s),
# the way careful teams script it by hand
retry() {
    local deadline=$((SECONDS + 60))
    until q "SET lock_timeout = '100ms'; $1" 2>/dev/null; do
        [ $SECONDS -ge $deadline ] && return 1
        sleep 0.1
    done
}

# (a) ADD COLUMN queued behind a 6 s reader
pre_a()   { q "BEGIN; SELECT count(*) FROM $T WHERE aid < 1000; SELECT pg_sleep(6); COMMIT;" >/dev/null; }
naive_a() { q "ALTER TABLE $T ADD COLUMN note text;"; }
best_a()  { retry "ALTER TABLE $T ADD COLUMN note text;"; }
undo_a()  { q "ALTER TABLE $T DROP COLUMN IF EXISTS note;"; }

# (b) CREATE INDEX in autocommit
naive_b() { q "CREATE INDEX bench_abalance_idx ON $T (abalance);"; }
best_b()  { q "CREATE INDEX CONCURRENTLY bench_abalance_idx ON $T (abalance);"; }
undo_b()  { q "DROP INDEX IF EXISTS bench_abalance_idx;"; }

# (c) CREATE INDEX inside a transaction (as migration tools wrap it)
naive_c() { q "BEGIN; CREATE INDEX bench_abalance_idx ON $T (abalance); COMMIT;"; }
best_c()  { q "CREATE INDEX CONCURRENTLY bench_abalance_idx ON $T (abalance);"; }
undo_c()  { undo_b; }

# (d) ADD CHECK constraint
naive_d() { q "ALTER TABLE $T ADD CONSTRAINT bench_chk CHECK (abalance > -1000000000);"; }
best_d()  { retry "ALTER TABLE $T ADD CONSTRAINT bench_chk CHECK (abalance > -1000000000) NOT VALID;" &&
            q "ALTER TABLE $T VALIDATE CONSTRAINT bench_chk;"; }
undo_d()  { q "ALTER TABLE $T DROP CONSTRAINT IF EXISTS bench_chk;"; }

# (e) SET NOT NULL
naive_e() { q "ALTER TABLE $T ALTER COLUMN bid SET NOT NULL;"; }
best_e()  { retry "ALTER TABLE $T ADD CONSTRAINT bench_bid_nn CHECK (bid IS NOT NULL) NOT VALID;" &&
            q "ALTER TABLE $T VALIDATE CONSTRAINT bench_bid_nn;" &&
            retry "ALTER TABLE $T ALTER COLUMN bid SET NOT NULL;" &&
            retry "ALTER TABLE $T DROP CONSTRAINT bench_bid_nn;"; }
undo_e()  { q "ALTER TABLE $T ALTER COLUMN bid DROP NOT NULL; ALTER TABLE $T DROP CONSTRAINT IF EXISTS bench_bid_nn;"; }

# (f) ADD FOREIGN KEY
naive_f() { q "ALTER TABLE $T ADD CONSTRAINT bench_fk FOREIGN KEY (bid) REFERENCES pgbench_branches (bid);"; }
best_f()  { retry "ALTER TABLE $T ADD CONSTRAINT bench_fk FOREIGN KEY (bid) REFERENCES pgbench_branches (bid) NOT VALID;" &&
            q "ALTER TABLE $T VALIDATE CONSTRAINT bench_fk;"; }
undo_f()  { q "ALTER TABLE $T DROP CONSTRAINT IF EXISTS bench_fk;"; }

# (g) a rewriting type change.  The real best practice is expand/contract
# (new column, batched backfill with a trigger, swap), which is an
# application change; the hand-written variant here only bounds the wait.
naive_g() { q "ALTER TABLE $T ALTER COLUMN abalance TYPE bigint;"; }
best_g()  { retry "ALTER TABLE $T ALTER COLUMN abalance TYPE bigint;"; }
undo_g()  { q "ALTER TABLE $T ALTER COLUMN abalance TYPE int;"; }

# (h) an instant ADD COLUMN, then a backfill in the same transaction: the
# ACCESS EXCLUSIVE lock is held for the whole UPDATE (issue 12).  Best
# practice: commit the column, then backfill in batches, each its own
# transaction.
naive_h() { q "BEGIN; ALTER TABLE $T ADD COLUMN note text; UPDATE $T SET note = 'x' WHERE aid % 10 = 0; COMMIT;"; }
best_h()  {
    retry "ALTER TABLE $T ADD COLUMN note text;" || return 1
    local n lo hi
    n=$(as_pg env PGOPTIONS="${PGOPTIONS:-}" "$PGBIN/psql" -X -At -c "SELECT max(aid) FROM $T;")
    for lo in $(seq 0 $((n / 20)) "$n"); do
        hi=$((lo + n / 20))
        q "UPDATE $T SET note = 'x' WHERE aid % 10 = 0 AND aid > $lo AND aid <= $hi;" || return 1
    done
}
undo_h()  { q "ALTER TABLE $T DROP COLUMN IF EXISTS note;"; }

# (i) an instant ADD COLUMN, then the client stays idle in transaction for
# 5 s before COMMIT (a slow migration script, a debugger, a forgotten
# session).  Best practice: commit the schema change at once.
naive_i() {
    { echo "BEGIN; ALTER TABLE $T ADD COLUMN note text;"; sleep 5; echo "COMMIT;"; } |
        as_pg env PGOPTIONS="${PGOPTIONS:-}" "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1
}
best_i()  { retry "ALTER TABLE $T ADD COLUMN note text;" && sleep 5; }
undo_i()  { undo_h; }
