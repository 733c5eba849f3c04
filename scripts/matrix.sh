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

# The script is one brace group that ends in exit: bash parses all of it
# before running any, so an edit of this file while a matrix runs (up to
# an hour on a busy machine) cannot change what that run does.
{
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# PG_MAJOR alone (the older way to pick a version) still picks one.
# The default is every version that passes every suite (docs/versions.md).
SDDL_PG_VERSIONS_GREEN="15 17 18 19"
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

declare -A suite_of_major
for major in $versions; do
    suite_of_major[$major]=$(suite_of "$major") || suite_of_major[$major]=none
done

# The economies of the default run (docs/testing.md, "CI time"): suites
# whose result does not depend on the server version run once, not on every
# version.  Off when the caller names the suites (SDDL_SUITES) or asks for
# everything everywhere (SDDL_MATRIX=full).
#   repo-checks  (layering, style, docs, the checks' tests, META.json) read
#                the tree, not the server: the first version's run only;
#   analysers    (cppcheck, clang-tidy) on the oldest and the newest
#                version: every PG_VERSION_NUM branch of src/compat.h is on
#                one side or the other, and they are the slowest checks;
#   clients      test what Django, Alembic, Rails, sqitch and the exporter
#                show, which their Debian suite's packages decide: once per
#                Debian suite (the host counts as one), on its oldest version.
# matrix_skips MAJOR: print what MAJOR's run leaves out.
matrix_skips() {
    local major=$1 m first oldest newest skip=()
    if [ -z "${SDDL_SUITES:-}" ] && [ "${SDDL_MATRIX:-}" != full ]; then
        first=${versions%% *}
        oldest=$(printf '%s\n' $versions | sort -n | head -1)
        newest=$(printf '%s\n' $versions | sort -n | tail -1)
        [ "$major" = "$first" ] || skip+=(repo-checks)
        [ "$major" = "$oldest" ] || [ "$major" = "$newest" ] || skip+=(analysers)
        for m in $versions; do
            if [ "$m" -lt "$major" ] && [ "${suite_of_major[$m]}" = "${suite_of_major[$major]}" ]; then
                skip+=(clients)
                break
            fi
        done
    fi
    echo "${SDDL_SKIP_SUITES:-}" "${skip[@]}"
}

# inner_env MAJOR: the environment a version's run gets, in the array
# inner: the caller's choices and nothing else of the host's.
inner_env() {
    local v skips
    inner=(SDDL_PG_RUN=1 PG_MAJOR="$1" PG_CONFIG="/usr/lib/postgresql/$1/bin/pg_config")
    for v in SDDL_SUITES SDDL_KEEP SDDL_TAP_TESTS SDDL_PGREGRESS SDDL_PGREGRESS_MODES \
        SDDL_PGREGRESS_JOBS SDDL_PGREGRESS_VERSIONS SDDL_VALGRIND; do
        [ -n "${!v:-}" ] && inner+=("$v=${!v}")
    done
    skips=$(matrix_skips "$1" | tr ' ' '\n' | awk 'NF && !seen[$0]++' | xargs)
    [ -n "$skips" ] && inner+=("SDDL_SKIP_SUITES=$skips")
}

# debootstrap, mount and chroot need root.
chroot_sh=("$SDDL_ROOT/scripts/chroot.sh")
[ "$(id -u)" -eq 0 ] || chroot_sh=(sudo "${chroot_sh[@]}")
chroots=${SDDL_CHROOTS:-/var/tmp/safe_ddl/chroots}

staged=
prep_dir=$(mktemp -d "${TMPDIR:-/tmp}/safe_ddl-prep.XXXXXX")
declare -A prep_pid
cleanup() {
    local p
    for p in "${prep_pid[@]}"; do
        kill "$p" 2>/dev/null
    done
    [ -n "$staged" ] && rm -rf "$staged"
    rm -rf "$prep_dir"
}
trap cleanup EXIT

# Prepare each chroot in the background while the versions before it run
# (on a fresh machine this hides most of the chroots' creation): make it
# if it is missing, then install what every run of its versions needs, the
# package suite's build tools included.  A version's run waits for its
# chroot; one that could not be prepared is tried again, and reported, there.
prepare() {	# prepare SUITE MAJOR...
    local suite=$1 m; shift
    "${chroot_sh[@]}" ensure "$suite" || return 1
    for m in "$@"; do
        "${chroot_sh[@]}" run "$suite" -b "$staged" -- \
            env PG_MAJOR="$m" PG_CONFIG="/usr/lib/postgresql/$m/bin/pg_config" bash -c \
            'source "$1/scripts/lib.sh" && sddl_install_deps && sddl_install_deps "${SDDL_PACKAGE_DEPS[@]}"' \
            x "$staged/src" || return 1
    done
    echo "the $suite chroot was ready $SECONDS s into the matrix"
}
for suite in $(printf '%s\n' "${suite_of_major[@]}" | sort -u); do
    case $suite in host|none) continue ;; esac
    if [ -z "$staged" ]; then
        staged=$(sddl_stage_tree) && chmod -R a+rX "$staged"
    fi
    majors=()
    for major in $versions; do
        [ "${suite_of_major[$major]}" = "$suite" ] && majors+=("$major")
    done
    sddl_say "preparing the $suite chroot for PostgreSQL ${majors[*]} in the background"
    prepare "$suite" "${majors[@]}" >"$prep_dir/$suite.log" 2>&1 &
    prep_pid[$suite]=$!
done

for major in $versions; do
    log=$(mktemp "${TMPDIR:-/tmp}/safe_ddl-pg$major.XXXXXX")
    suite=${suite_of_major[$major]}
    start=$SECONDS
    if [ "$suite" = none ]; then
        echo "PostgreSQL $major: neither the host nor a known Debian suite packages it" | tee "$log"
        status=2
    elif [ "$suite" = host ]; then
        sddl_say "PostgreSQL $major on the host"
        inner_env "$major"
        env "${inner[@]}" bash "$SDDL_ROOT/scripts/test" 2>&1 | tee "$log"
        status=${PIPESTATUS[0]}
    else
        if [ -n "${prep_pid[$suite]:-}" ]; then
            sddl_say "waiting for the $suite chroot"
            if wait "${prep_pid[$suite]}"; then
                sddl_say "$(tail -n 1 "$prep_dir/$suite.log")"
            else
                { echo "preparing the $suite chroot failed:"; tail -20 "$prep_dir/$suite.log"; } >&2
            fi
            unset "prep_pid[$suite]"
        fi
        sddl_say "PostgreSQL $major in the $suite chroot"
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
    skipped=$(sed -n 's/^left out: //p' "$log" | tail -1)
    rm -f "$log"
    if [ -n "$line" ]; then
        p=${line%% passed*}; f=${line#*passed, }; f=${f%% failed}
    else
        p=0; f=1
    fi
    [ "$status" -ne 0 ] && [ "$f" -eq 0 ] && f=1
    total_passed=$((total_passed + p)); total_failed=$((total_failed + f))
    summary+=("$(printf 'PostgreSQL %-3s %-9s %4d passed, %d failed  %4d s%s' "$major" "($suite)" \
        "$p" "$f" $((SECONDS - start)) "${skipped:+  (left out: $skipped)}")")
done

echo
printf '%s\n' "${summary[@]}"
echo "all versions: $SECONDS s"
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
exit
}
