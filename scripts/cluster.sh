# Throw-away PostgreSQL clusters for the demo and the client tests.
# Sourced after lib.sh.  The cluster runs as the current user (the postgres
# OS user when called through sddl_as_owner), listens on a unix socket in
# its own directory only, and has safe_ddl preloaded from SAFE_DDL_DESTDIR
# when set.

# sddl_cluster_start DIR [extra postgresql.conf lines...]
# Exports PGHOST, PGPORT, PGDATA for the new cluster.
sddl_cluster_start() {
    local dir=$1; shift
    local bindir
    bindir=$("$PG_CONFIG" --bindir)
    mkdir -p "$dir"
    export PGDATA=$dir/data PGHOST=$dir PGPORT=${PGPORT:-$((20000 + RANDOM % 20000))}
    export PGUSER=${PGUSER:-$(id -un)} PGDATABASE=${PGDATABASE:-postgres}
    "$bindir/initdb" -D "$PGDATA" -A trust -U "$PGUSER" --no-sync >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log"; return 1; }
    {
        echo "listen_addresses = ''"
        echo "unix_socket_directories = '$dir'"
        echo "port = $PGPORT"
        echo "shared_preload_libraries = 'safe_ddl'"
        echo "fsync = off"
        echo "log_min_messages = warning"
        if [ -n "${SAFE_DDL_DESTDIR:-}" ]; then
            "$SDDL_ROOT/scripts/destdir-conf" "$SAFE_DDL_DESTDIR" || return 1
        fi
        for line in "$@"; do echo "$line"; done
    } >>"$PGDATA/postgresql.conf"
    "$bindir/pg_ctl" -D "$PGDATA" -l "$dir/server.log" -w start >/dev/null ||
        { cat "$dir/server.log"; return 1; }
}

sddl_cluster_stop() {
    "$("$PG_CONFIG" --bindir)/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 || true
}
