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

# client_cluster NAME DATABASE [postgresql.conf lines...]: a throw-away
# cluster under a fresh directory $work, with DATABASE created, named by
# safe_ddl.database and holding the extension.  At exit the processes listed
# in client_pids are ended, the cluster stopped and $work removed.
client_pids=()
client_cluster() {
    local name=$1 db=$2; shift 2
    work=$(mktemp -d "${TMPDIR:-/tmp}/sddl-$name.XXXXXX")
    trap _client_cleanup EXIT
    sddl_cluster_start "$work/pg" "safe_ddl.database = '$db'" "$@" || return 1
    psql -X -q -c "CREATE DATABASE $db" -c "\\c $db" -c "CREATE EXTENSION safe_ddl"
}
_client_cleanup() {
    local p
    for p in "${client_pids[@]}"; do
        kill "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    sddl_cluster_stop
    rm -rf "$work"
}
lacks() { ! grep -qF -- "$2" <<<"$1"; }

# wait_until SECONDS COMMAND...: poll COMMAND until it succeeds; fails
# after SECONDS.  For conditions that another process makes true (the lock
# log writer, a server starting), never a fixed sleep.
wait_until() {
    local deadline=$((SECONDS + $1)); shift
    until "$@"; do
        [ "$SECONDS" -ge "$deadline" ] && return 1
        sleep 0.1
    done
}

# True once the lock log writer has inserted every buffered event: an event
# is buffered before its statement returns, so after this it is in the table.
log_flushed() {
    [ "$(psql -X -At -c "SELECT buffered FROM safe_ddl.log_status()" "$@" 2>/dev/null)" = 0 ]
}
