#!/usr/bin/env bash
# Instruction cost of safe_ddl on an ordinary workload (benchmark, not a
# test), counted with callgrind, which unlike TPS is repeatable on a noisy
# shared machine.  One single-user backend (postgres --single) runs N and 2N
# statements of pgbench's select-only and tpcb-like scripts, with safe_ddl
# not preloaded and preloaded (enforce mode); the difference between the 2N
# and N counts is the cost of N statements without the start-up cost.
#
#   bash bench/exec_overhead.sh [N, default 2000]
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
n=${1:-2000}

command -v valgrind >/dev/null || { echo "valgrind is needed" >&2; exit 2; }
work=$(sddl_stage_tree)
sddl_as_owner make -C "$work/src" --no-print-directory >/dev/null 2>&1 &&
    sddl_as_owner make -C "$work/src" --no-print-directory install DESTDIR="$work/install" >/dev/null 2>&1 ||
    { echo "build failed" >&2; exit 1; }
sddl_as_owner env SAFE_DDL_DESTDIR="$work/install" N="$n" \
    bash "$work/src/bench/exec_overhead_run.sh" "$work"
status=$?
[ -n "${SDDL_KEEP:-}" ] || rm -rf "$work"
exit $status
