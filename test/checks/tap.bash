# Shared by the tests of the static checks (test/checks/*.sh): TAP output,
# a scratch directory $work removed at exit, and running one check on a
# copy of the tree.  The sourcing test sets $check (the script under test)
# and $target (what to run it on) before calling run.
set -u
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0
bad=0

ok() {	# ok STATUS DESCRIPTION
    n=$((n + 1))
    if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; bad=$((bad + 1)); fi
}

run() {	# run $check on $target; output in $out, status in $status
    out=$("$check" "$target" 2>&1)
    status=$?
}

expect_success() {	# expect_success DESCRIPTION
    [ "$status" -eq 0 ]
    ok $? "$1"
    [ "$status" -eq 0 ] || printf '%s\n' "$out" | sed 's/^/# /'
}

expect_failure() {	# expect_failure DESCRIPTION PATTERN...
    local what=$1 before=$bad p
    shift
    [ "$status" -eq 1 ]
    ok $? "$what: the check fails"
    for p in "$@"; do
        grep -qF -- "$p" <<<"$out"
        ok $? "$what: the output names '$p'"
    done
    [ "$bad" -eq "$before" ] || printf '%s\n' "$out" | sed 's/^/# /'
}

done_testing() {
    echo "1..$n"
    [ "$bad" -eq 0 ]
}
