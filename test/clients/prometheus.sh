#!/usr/bin/env bash
# contrib/prometheus/safe_ddl_queries.yaml in Debian's
# prometheus-postgres-exporter, scraped on loopback: after allowed, rejected
# and lock-timed-out statements, /metrics carries the counts, lock waits and
# writer state that the lock log and safe_ddl.log_status() hold, read
# through a pg_monitor role as docs/metrics.md sets it up; with the writer
# blocked, buffered events, dropped events and the writer lag show.  The
# shipped alert rules pass promtool's checks and unit tests.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/tap.bash"
prom=$here/../../contrib/prometheus
ring=16		# safe_ddl.log_buffer_size, its minimum

client_cluster prometheus obs "safe_ddl.small_table_size = 0" "safe_ddl.log_buffer_size = $ring" || exit 1
psql -X -q -d obs -c "CREATE ROLE prometheus LOGIN" -c "GRANT pg_monitor TO prometheus" \
    -c "CREATE TABLE accounts (id int)" || exit 1
export PGDATABASE=obs
q() { psql -X -At -c "$1"; }

# holds APPNAME RELATION: the session named APPNAME holds a lock on RELATION.
holds() {
    test "$(q "SELECT count(*) FROM pg_locks JOIN pg_stat_activity USING (pid)
        WHERE application_name = '$1' AND locktype = 'relation' AND granted
          AND relation = '$2'::regclass")" = 1
}
session_gone() { test "$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$1'")" = 0; }
# hold APPNAME RELATION MODE: a session that holds a lock until release;
# returns once the lock is granted.  It stands for a long reader or a
# blocked writer, not a migration: safe_ddl.lock_hold_budget would end it
# (LOCK TABLE is intercepted) once the log writer queues behind it.
hold() {
    PGAPPNAME=$1 psql -X -q -c "SET safe_ddl.lock_hold_budget = 0" -c "BEGIN" -c "LOCK TABLE $2 IN $3 MODE" \
        -c "SELECT pg_sleep(3600)" >"$work/$1.log" 2>&1 &
    client_pids+=($!)
    wait_until 60 holds "$1" "$2" || { cat "$work/$1.log"; return 1; }
}
release() {
    q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '$1'" >/dev/null
    wait_until 60 session_gone "$1"
}

# 1. Some traffic: allowed statements, a rejection, a lock timeout.
q "CREATE TABLE customers (id int)" >/dev/null
psql -X -q -c "BEGIN" -c "CREATE INDEX accounts_id_idx ON accounts (id)" 2>/dev/null
ok "setup: the CREATE INDEX was rejected" test -z "$(q "SELECT to_regclass('accounts_id_idx')")"
hold holder accounts "ACCESS SHARE" || exit 1
psql -X -q -c "SET safe_ddl.lock_wait_budget = '1s'" -c "ALTER TABLE accounts ADD COLUMN note text" 2>/dev/null
ok "setup: the ALTER TABLE timed out" test -z "$(q "SELECT 1 FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attname = 'note'")"
release holder || exit 1
wait_until 30 log_flushed || exit 1

# 2. The exporter, as Debian runs it, on a free loopback port.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DATA_SOURCE_NAME="host=$PGHOST port=$PGPORT user=prometheus dbname=obs sslmode=disable" \
    prometheus-postgres-exporter --extend.query-path="$prom/safe_ddl_queries.yaml" \
    --web.listen-address="127.0.0.1:$port" --log.level=warn >"$work/exporter.log" 2>&1 &
client_pids+=($!)
scrape() { metrics=$(curl -fsS "http://127.0.0.1:$port/metrics"); }
wait_until 60 scrape || { cat "$work/exporter.log"; exit 1; }

# metric NAME [LABEL=VALUE...]: the value of the one sample that matches.
metric() {
    local lines l name=$1; shift
    lines=$(grep -E "^$name(\{| )" <<<"$metrics")
    for l in "$@"; do lines=$(grep -F "${l%%=*}=\"${l#*=}\"" <<<"$lines"); done
    [ "$(grep -c . <<<"$lines")" = 1 ] && awk '{ print $NF }' <<<"$lines"
}
# is METRIC-ARGS... OP VALUE: compare numerically (float formats differ).
is() {
    local n=$# v
    v=$(metric "${@:1:n-2}") || return 1
    awk -v a="$v" -v op="${@:n-1:1}" -v b="${@:n}" 'BEGIN {
        d = a - b; if (d < 0) d = -d; eq = d <= 1e-9 * (1 + (b < 0 ? -b : b));
        exit !(op == "=" ? eq : op == ">" ? a > b && !eq : op == ">=" ? a >= b || eq : 0) }'
}
sql_last_hour() { q "SELECT coalesce($1, 0) FROM safe_ddl.lock_log WHERE outcome = '$2'"; }

echo "$metrics" | grep '^safe_ddl_' | sed 's/^/# /'
ok "the exporter reaches the server" is pg_up = 1
ok "every custom query ran" is pg_exporter_last_scrape_error = 0
ok "one rejection in the last hour" is safe_ddl_last_hour_statements outcome=rejected = 1
ok "one lock timeout in the last hour" is safe_ddl_last_hour_statements outcome=lock_timeout = 1
ok "allowed statements: all of them, seen through pg_monitor" \
    is safe_ddl_last_hour_statements outcome=allowed = "$(sql_last_hour 'count(*)' allowed)"
ok "allowed statements were logged" is safe_ddl_last_hour_statements outcome=allowed ">" 0
ok "an outcome without statements is 0, not absent" is safe_ddl_last_hour_statements outcome=override = 0
ok "the lock timeout waited the budget" is safe_ddl_last_hour_lock_wait_max_seconds outcome=lock_timeout ">=" 1
ok "longest wait as in the lock log" is safe_ddl_last_hour_lock_wait_max_seconds outcome=lock_timeout = \
    "$(sql_last_hour 'max(lock_wait_ms) / 1000' lock_timeout)"
ok "total wait as in the lock log" is safe_ddl_last_hour_lock_wait_seconds outcome=lock_timeout = \
    "$(sql_last_hour 'sum(lock_wait_ms) / 1000' lock_timeout)"
ok "retries as in the lock log" is safe_ddl_last_hour_lock_retries outcome=lock_timeout = \
    "$(sql_last_hour 'sum(attempts - 1)' lock_timeout)"
ok "the timed-out statement retried" is safe_ddl_last_hour_lock_retries outcome=lock_timeout ">" 0
ok "the rejection by database and rule" is safe_ddl_last_hour_by_rule_statements \
    database=obs rule=require-concurrent-index-creation outcome=rejected = 1
ok "the writer is up" is safe_ddl_log_worker_up = 1
ok "the writer found the table" is safe_ddl_log_table_ready = 1
ok "nothing buffered" is safe_ddl_log_buffered = 0
ok "no writer lag" is safe_ddl_log_writer_lag_seconds = 0
ok "nothing dropped" is safe_ddl_log_dropped_total = 0
ok "nothing lost" is safe_ddl_log_lost_total = 0
ok "nothing recovered" is safe_ddl_log_recovered_total = 0
ok "unchecked is exported, 0 when none" is safe_ddl_last_hour_statements outcome=unchecked = 0
ok "rows written as log_status() says" is safe_ddl_log_written_total = "$(q "SELECT written FROM safe_ddl.log_status()")"
lint=$(promtool check metrics <<<"$metrics" 2>&1 | grep '^safe_ddl_')
ok "promtool finds nothing to say about the safe_ddl metrics" test -z "$lint"
echo "$lint" | sed 's/^/# /'

# 3. The writer blocked (EXCLUSIVE lets the exporter read, not the writer
#    insert): more events than the ring holds.
hold logholder safe_ddl.lock_log EXCLUSIVE || exit 1
written=$(q "SELECT written FROM safe_ddl.log_status()")
for i in $(seq $((ring + 4))); do echo "CREATE TABLE burst_$i ();"; done | psql -X -q >/dev/null || exit 1
scrape || exit 1
echo "$metrics" | grep '^safe_ddl_log' | sed 's/^/# /'
ok "the ring is full" is safe_ddl_log_buffered = $ring
ok "the overflow is counted as dropped" is safe_ddl_log_dropped_total ">" 0
ok "dropped as log_status() says" is safe_ddl_log_dropped_total = "$(q "SELECT dropped FROM safe_ddl.log_status()")"
ok "the writer lags" is safe_ddl_log_writer_lag_seconds ">" 0

release logholder || exit 1
wait_until 60 log_flushed || exit 1
scrape || exit 1
ok "after the lock, nothing buffered" is safe_ddl_log_buffered = 0
ok "after the lock, no writer lag" is safe_ddl_log_writer_lag_seconds = 0
ok "the buffered events were written" is safe_ddl_log_written_total = $((written + ring))

# 4. The alert rules that docs/metrics.md shows.
out=$(promtool check rules "$prom/safe_ddl_alerts.yaml" 2>&1)
ok "the alert rules are valid" test $? -eq 0
echo "$out" | sed 's/^/# /'
out=$(cd "$here/prometheus" && promtool test rules safe_ddl_alerts_test.yaml 2>&1)
ok "the alert rules pass their unit tests" test $? -eq 0
echo "$out" | sed 's/^/# /'

done_testing
