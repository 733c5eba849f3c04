#!/usr/bin/env bash
# Run scripts/test's suites against each PostgreSQL version in
# SDDL_PG_VERSIONS, one after the other, and sum up.  Called by scripts/test;
# see there for the variables.
#
# 15 runs on the host (Debian 12 ships it).  17, 18 and 19 need a newer glibc
# than Debian 12 has, so they run in a Debian chroot (scripts/chroot.sh):
# trixie for 17, sid for 18, sid with experimental for 19.  The tree is
# staged once on the host and bind-mounted into the chroot, where the
# version's run stages its own copy, installs what it misses and builds.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# PG_MAJOR alone (the older way to pick a version) still picks one.
# The default is the versions that have passed every suite.  18 and 19
# pass pg_regress (ground truth included); add them here after a full
# green run of every suite on them (docs/versions.md).
SDDL_PG_VERSIONS_GREEN="15 17"
versions=${SDDL_PG_VERSIONS:-${PG_MAJOR:-$SDDL_PG_VERSIONS_GREEN}}
total_passed=0
total_failed=0
summary=()

# Where a PostgreSQL major version runs: "host" when the host's apt sources
# have it (on Debian 12: 15 only, or any with apt.postgresql.org added), else
# the Debian suite that packages it.
suite_of() {
    if [ -x "/usr/lib/postgresql/$1/bin/pg_config" ] ||
        apt-cache show "postgresql-server-dev-$1" >/dev/null 2>&1; then
        echo host
        return 0
    fi
    case $1 in
    17) echo trixie ;;
    18|19) echo sid ;;
    *) return 1 ;;
    esac
}

# inner_env MAJOR: the environment a version's run gets, in the array
# inner: the caller's choices and nothing else of the host's.
inner_env() {
    local v
    inner=(SDDL_PG_RUN=1 PG_MAJOR="$1" PG_CONFIG="/usr/lib/postgresql/$1/bin/pg_config")
    for v in SDDL_SUITES SDDL_KEEP SDDL_TAP_TESTS SDDL_PGREGRESS SDDL_PGREGRESS_MODES SDDL_PGREGRESS_JOBS; do
        [ -n "${!v:-}" ] && inner+=("$v=${!v}")
    done
}

# debootstrap, mount and chroot need root.
chroot_sh=("$SDDL_ROOT/scripts/chroot.sh")
[ "$(id -u)" -eq 0 ] || chroot_sh=(sudo "${chroot_sh[@]}")

staged=
cleanup() { [ -n "$staged" ] && rm -rf "$staged"; }
trap cleanup EXIT

# Make the chroots that are missing side by side first (mostly downloads);
# one that fails is tried again, and reported, by its version's run below.
for suite in $(for major in $versions; do suite_of "$major"; done | sort -u); do
    [ "$suite" = host ] || "${chroot_sh[@]}" ensure "$suite" &
done
wait

for major in $versions; do
    log=$(mktemp "${TMPDIR:-/tmp}/safe_ddl-pg$major.XXXXXX")
    if ! suite=$(suite_of "$major"); then
        suite=none
        echo "PostgreSQL $major: neither the host nor a known Debian suite packages it" | tee "$log"
        status=2
    elif [ "$suite" = host ]; then
        sddl_say "PostgreSQL $major on the host"
        inner_env "$major"
        env "${inner[@]}" bash "$SDDL_ROOT/scripts/test" 2>&1 | tee "$log"
        status=${PIPESTATUS[0]}
    else
        sddl_say "PostgreSQL $major in the $suite chroot"
        if [ -z "$staged" ]; then
            staged=$(sddl_stage_tree) && chmod -R a+rX "$staged"
        fi
        chroots=${SDDL_CHROOTS:-/var/tmp/safe_ddl/chroots}
        if "${chroot_sh[@]}" ensure "$suite"; then
            inner_env "$major"
            "${chroot_sh[@]}" run "$suite" -b "$staged" -- \
                env "${inner[@]}" bash "$staged/src/scripts/test" 2>&1 |
                sed -u "s|^build tree and logs kept in /|build tree and logs kept in $chroots/$suite/|" |
                tee "$log"
            status=${PIPESTATUS[0]}
        else
            echo "could not create the $suite chroot" | tee "$log"
            status=2
        fi
    fi
    # The run's own last line: "N passed, M failed".  A run that ended
    # without one (it could not even start) counts as one failure.
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
    rm -f "$log"
    if [ -n "$line" ]; then
        p=${line%% passed*}; f=${line#*passed, }; f=${f%% failed}
    else
        p=0; f=1
    fi
    [ "$status" -ne 0 ] && [ "$f" -eq 0 ] && f=1
    total_passed=$((total_passed + p)); total_failed=$((total_failed + f))
    summary+=("$(printf 'PostgreSQL %-3s %-7s %d passed, %d failed' "$major" "($suite)" "$p" "$f")")
done

echo
printf '%s\n' "${summary[@]}"
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
