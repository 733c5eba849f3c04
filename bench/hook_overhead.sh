#!/usr/bin/env bash
# Cost of the hook on statements that are not risky DDL (benchmark, not a
# test): TPS of pgbench running utility statements (SET, SHOW, BEGIN/COMMIT,
# SET CONSTRAINTS) and of pgbench -S, with safe_ddl not preloaded, preloaded
# with safe_ddl.mode = off, and preloaded in enforce mode.
#
#   bash bench/hook_overhead.sh [seconds per run, default 15] [runs, default 3]
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
secs=${1:-15}
runs=${2:-3}

sddl_install_deps || exit 2
work=$(sddl_stage_tree)
sddl_as_owner make -C "$work/src" --no-print-directory >/dev/null 2>&1 &&
    sddl_as_owner make -C "$work/src" --no-print-directory install DESTDIR="$work/install" >/dev/null 2>&1 ||
    { echo "build failed" >&2; exit 1; }
sddl_as_owner env SAFE_DDL_DESTDIR="$work/install" SECS="$secs" RUNS="$runs" \
    bash "$work/src/bench/hook_overhead_run.sh" "$work"
status=$?
[ -n "${SDDL_KEEP:-}" ] || rm -rf "$work"
exit $status
