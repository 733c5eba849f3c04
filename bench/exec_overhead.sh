#!/usr/bin/env bash
# Instruction cost of safe_ddl on ordinary workloads and on DDL that cannot
# be risky (benchmark, not a test), counted with callgrind, which unlike
# TPS is repeatable on a noisy shared machine.  One single-user backend
# (postgres --single) runs N and 2N rounds of each workload, with safe_ddl
# not preloaded and preloaded (enforce mode, its default, with
# safe_ddl.log_level = off and at its default, all); the difference
# between the 2N and N counts is the cost of N rounds without the
# start-up cost.  Workloads: pgbench's select-only and tpcb-like scripts
# (scale 1); utility statements (BEGIN, SET LOCAL, SHOW, SET CONSTRAINTS,
# COMMIT, SET, RESET); DDL on a table created in the same transaction;
# and a fresh install's DDL on small tables (N/10 rounds each).
#
#   bash bench/exec_overhead.sh [N, default 2000]
#   WORKLOADS="ddl_small" bash bench/exec_overhead.sh 1000
#   SDDL_KEEP=1 bash bench/exec_overhead.sh ...   (keeps the callgrind
#       files; then: callgrind_annotate --inclusive=yes FILE)
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
n=${1:-2000}

command -v valgrind >/dev/null || { echo "valgrind is needed" >&2; exit 2; }
work=$(sddl_stage_tree)
sddl_as_owner make -C "$work/src" --no-print-directory >/dev/null 2>&1 &&
    sddl_as_owner make -C "$work/src" --no-print-directory install DESTDIR="$work/install" >/dev/null 2>&1 ||
    { echo "build failed" >&2; exit 1; }
sddl_as_owner env SAFE_DDL_DESTDIR="$work/install" N="$n" \
    WORKLOADS="${WORKLOADS:-select tpcb utility ddl_new ddl_small}" \
    SDDL_KEEP="${SDDL_KEEP:-}" \
    bash "$work/src/bench/exec_overhead_run.sh" "$work"
status=$?
[ -n "${SDDL_KEEP:-}" ] || rm -rf "$work"
exit $status
