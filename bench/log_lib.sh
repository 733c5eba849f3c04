# Shared by bench/log_*.sh.  Sourced, not run.
#
# Sets root, PG_CONFIG, bindir and pkglibdir, and defines:
#   as_owner CMD...      run CMD as the postgres OS user when root
#   bench_workdir NAME   a fresh directory the server user owns, in $work
#   bench_install        the extension from "make install
#                        DESTDIR=$SAFE_DDL_DESTDIR" when that is set, else
#                        built and installed into $work/install; sets
#                        SAFE_DDL_DESTDIR

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_CONFIG=${PG_CONFIG:-pg_config}
bindir=$($PG_CONFIG --bindir)
pkglibdir=$($PG_CONFIG --pkglibdir)

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

bench_workdir() {
    work=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$work"; fi
}

bench_install() {
    [ -n "${SAFE_DDL_DESTDIR:-}" ] && return 0
    echo "building safe_ddl into $work/install" >&2
    cp -r "$root" "$work/src"
    rm -rf "$work/src/.git"
    if [ "$(id -u)" -eq 0 ]; then chown -R postgres: "$work/src"; fi
    # the copy may hold objects built from older sources: PGXS does not
    # track header dependencies
    as_owner make -s -C "$work/src" PG_CONFIG="$PG_CONFIG" clean >/dev/null
    as_owner make -s -C "$work/src" PG_CONFIG="$PG_CONFIG" >/dev/null
    as_owner make -s -C "$work/src" PG_CONFIG="$PG_CONFIG" install DESTDIR="$work/install" >/dev/null
    SAFE_DDL_DESTDIR=$work/install
}

# bench_initdb: a cluster in $work/data on a Unix socket in $work and a
# random port ($port), fsync off, finding the extension in
# $SAFE_DDL_DESTDIR; stopped (immediate) and $work removed at exit
bench_initdb() {
    trap 'as_owner "$bindir/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
    as_owner "$bindir/initdb" -D "$work/data" -A trust >/dev/null
    port=$((20000 + RANDOM % 20000))
    cat >>"$work/data/postgresql.conf" <<EOC
listen_addresses = ''
unix_socket_directories = '$work'
port = $port
fsync = off
extension_destdir = '$SAFE_DDL_DESTDIR'
dynamic_library_path = '$SAFE_DDL_DESTDIR$pkglibdir:\$libdir'
EOC
}
