# Shared shell functions for scripts/test and scripts/demo.  Sourced, not run.

SDDL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SDDL_PG_MAJOR=${PG_MAJOR:-15}
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/$SDDL_PG_MAJOR/bin/pg_config}

sddl_say() { printf '==> %s\n' "$*" >&2; }

# Install what the build, the tests and the demo need, on Debian 12, or
# only the packages given as arguments (scripts/package in a chroot).
# Idempotent and silent when everything is already there.
sddl_install_deps() {
    # PostgreSQL itself (contrib is part of postgresql-NN); pgaudit has no
    # build for 19 yet (test/t/001_loading.pl knows).
    local pg=("postgresql-$SDDL_PG_MAJOR" "postgresql-server-dev-$SDDL_PG_MAJOR")
    [ "$SDDL_PG_MAJOR" -lt 19 ] && pg+=("postgresql-$SDDL_PG_MAJOR-pgaudit")
    local pkgs=(make gcc libc6-dev perl libipc-run-perl rsync
        cppcheck clang-tidy python3 python3-django python3-psycopg2
        python3-alembic gnuplot-nox bc procps util-linux
        ruby-railties ruby-activerecord ruby-pg sqitch libdbd-pg-perl
        prometheus-postgres-exporter prometheus curl)
    if [ $# -gt 0 ]; then
        pg=()
        pkgs=("$@")
    fi
    local missing=() missing_pg=() p
    for p in "${pg[@]}"; do
        sddl_installed "$p" || missing_pg+=("$p")
    done
    for p in "${pkgs[@]}"; do
        sddl_installed "$p" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && [ ${#missing_pg[@]} -eq 0 ] && return 0
    sddl_say "installing ${missing_pg[*]} ${missing[*]}"
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    # Debian's postgresql package creates and starts a "main" cluster; the
    # tests never use it, so keep it from being created at all.
    if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
        "${sudo[@]}" mkdir -p /etc/postgresql-common
        echo 'create_main_cluster = false' | "${sudo[@]}" tee /etc/postgresql-common/createcluster.conf >/dev/null
    fi
    local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600)
    "${apt[@]}" update -qq >/dev/null || return 1
    # PostgreSQL 19 is only in experimental (scripts/chroot.sh adds it to
    # sid's sources), which apt never picks on its own.
    local target=()
    [ "$SDDL_PG_MAJOR" -ge 19 ] && target=(-t experimental)
    if [ ${#missing_pg[@]} -gt 0 ]; then
        "${apt[@]}" install -y -qq --no-install-recommends "${target[@]}" "${missing_pg[@]}" >/dev/null ||
            return 1
    fi
    if [ ${#missing[@]} -gt 0 ]; then
        "${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
}

# What scripts/package needs besides the server and its headers:
# debian/control's Build-Depends, dpkg-buildpackage, make for the
# autopkgtest.  scripts/matrix.sh installs them ahead of a chroot's run.
SDDL_PACKAGE_DEPS=(make gcc libc6-dev rsync util-linux
    build-essential dpkg-dev debhelper postgresql-common postgresql-server-dev-all)

sddl_installed() {	# sddl_installed PACKAGE
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# PostgreSQL refuses to run as root: as root, run the build and every server
# as the postgres OS user; otherwise as ourselves.
sddl_as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- env PATH="$PATH" PG_CONFIG="$PG_CONFIG" "$@"
    else
        "$@"
    fi
}

# Copy the working tree (tracked and untracked files, without build output)
# into a fresh directory the server user owns, and print its path.  The
# checkout itself is never written to, so root's checkout stays root's.
sddl_stage_tree() {
    local dir
    dir=$(mktemp -d "${TMPDIR:-/tmp}/safe_ddl.XXXXXX")
    (cd "$SDDL_ROOT" &&
        { git ls-files -z --cached --others --exclude-standard 2>/dev/null ||
            find . -type f -not -path './.git/*' -print0; } |
        rsync -a --from0 --files-from=- ./ "$dir/src/")
    [ "$(id -u)" -eq 0 ] && chown -R postgres: "$dir"
    chmod 755 "$dir"
    echo "$dir"
}
