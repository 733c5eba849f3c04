# Shared by the client tests: TAP output and a throw-away cluster.
# Each client test prints "ok N - ..." / "not ok N - ..." lines (counted by
# scripts/test) and exits non-zero when any check failed.
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/cluster.sh"

_tap_n=0
_tap_failed=0
ok() {	# ok DESCRIPTION COMMAND...
    local desc=$1; shift
    _tap_n=$((_tap_n + 1))
    if "$@"; then
        echo "ok $_tap_n - $desc"
    else
        echo "not ok $_tap_n - $desc"
        _tap_failed=$((_tap_failed + 1))
    fi
}
done_testing() {
    echo "1..$_tap_n"
    [ "$_tap_failed" -eq 0 ]
}
contains() { grep -qF -- "$2" <<<"$1"; }
lacks() { ! grep -qF -- "$2" <<<"$1"; }
