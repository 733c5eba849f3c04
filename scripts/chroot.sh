#!/usr/bin/env bash
# Debian chroots for testing against PostgreSQL versions Debian 12 does not
# ship (17 from trixie, 18 from sid, 19 from sid + experimental).  Their
# binaries need a newer glibc than the host's, hence a chroot rather than
# packages on the host.
#
#   scripts/chroot.sh ensure SUITE         create /var/tmp/safe_ddl/chroots/SUITE
#                                          unless it is there already
#   scripts/chroot.sh run SUITE [-b DIR]... -- COMMAND...
#                                          run COMMAND as root inside it, with
#                                          each DIR bind-mounted at its own path
#
# A chroot is made once (trixie takes about 6 minutes, sid about 15) and
# reused; the stamp file records how it was made and a chroot whose recipe
# changed is made again.  Packages are not part of the recipe: scripts/test
# installs what it misses inside the chroot, as it does on the host.
#
# "run" enters private mount, IPC and PID namespaces: the mounts vanish with
# the command, servers started inside cannot collide with the host's SysV
# IPC, and any process left behind is killed when COMMAND exits.
set -euo pipefail

SDDL_CHROOTS=${SDDL_CHROOTS:-/var/tmp/safe_ddl/chroots}
mirror=${SDDL_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# Bump when the recipe below changes: every chroot is then made again.
recipe=1

say() { printf '==> %s\n' "$*" >&2; }

stamp_text() {	# stamp_text SUITE
    printf 'recipe %s\nsuite %s\nmirror %s\n' "$recipe" "$1" "$mirror"
}

# configure ROOT SUITE: what the chroot needs before packages go in.
configure() {
    local root=$1 suite=$2
    # No service starts inside, and installing postgresql makes no cluster.
    printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
    chmod 755 "$root/usr/sbin/policy-rc.d"
    mkdir -p "$root/etc/postgresql-common"
    echo 'create_main_cluster = false' >"$root/etc/postgresql-common/createcluster.conf"
    echo 'APT::Install-Recommends "false";' >"$root/etc/apt/apt.conf.d/99no-recommends"
    case $suite in
    trixie)
        {
            echo "deb $mirror trixie-updates main"
            echo "deb ${mirror%/debian}/debian-security trixie-security main"
        } >>"$root/etc/apt/sources.list"
        ;;
    sid)
        # The mirror's sid Release file is often past its Valid-Until date.
        echo 'Acquire::Check-Valid-Until "false";' >"$root/etc/apt/apt.conf.d/99no-check-valid-until"
        # PostgreSQL 19 is in experimental only (see sddl_install_deps).
        echo "deb $mirror experimental main" >>"$root/etc/apt/sources.list"
        ;;
    esac
    echo "$(hostname)" >"$root/etc/hostname"
    cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
}

ensure() {	# ensure SUITE
    local suite=$1 root=$SDDL_CHROOTS/$1
    if [ -f "$root/.safe_ddl-stamp" ] && [ "$(cat "$root/.safe_ddl-stamp")" = "$(stamp_text "$suite")" ]; then
        return 0
    fi
    command -v debootstrap >/dev/null ||
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
            --no-install-recommends debootstrap >/dev/null
    say "creating the $suite chroot in $root (several minutes, once)"
    rm -rf "$root.new"
    mkdir -p "$SDDL_CHROOTS"
    debootstrap --variant=minbase "$suite" "$root.new" "$mirror" >"$SDDL_CHROOTS/$suite.log" 2>&1 ||
        { tail -20 "$SDDL_CHROOTS/$suite.log" >&2; return 1; }
    configure "$root.new" "$suite"
    stamp_text "$suite" >"$root.new/.safe_ddl-stamp"
    rm -rf "$root"
    mv "$root.new" "$root"
}

run() {	# run SUITE [-b DIR]... -- COMMAND...
    local suite=$1; shift
    local root=$SDDL_CHROOTS/$suite binds=()
    while [ $# -gt 0 ]; do
        case $1 in
        -b) binds+=("$2"); shift 2 ;;
        --) shift; break ;;
        *) break ;;
        esac
    done
    [ -f "$root/.safe_ddl-stamp" ] || { echo "no $suite chroot: run '$0 ensure $suite'" >&2; return 2; }
    unshare --mount --ipc --pid --fork --kill-child --propagation private bash -c '
        set -e
        R=$1; n=$2; shift 2
        mount -t proc proc "$R/proc"
        mount -t sysfs sys "$R/sys"
        mount -t devpts -o newinstance,ptmxmode=0666 devpts "$R/dev/pts"
        # PostgreSQL needs a tmpfs here for dynamic shared memory.
        mount -t tmpfs -o mode=1777,size=2g shm "$R/dev/shm"
        while [ "$n" -gt 0 ]; do
            mkdir -p "$R$1" && mount --bind "$1" "$R$1"
            shift; n=$((n - 1))
        done
        shift	# the "--" separating binds from the command
        exec chroot "$R" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
            PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
    ' x "$root" "${#binds[@]}" "${binds[@]}" -- "$@"
}

[ "$(id -u)" -eq 0 ] || { echo "$0: needs root (debootstrap, chroot, mount)" >&2; exit 2; }
cmd=${1:-}; shift || true
case $cmd in
ensure) ensure "$@" ;;
run) run "$@" ;;
*) sed -n '2,/^set -e/p' "$0" | sed -e '/^set -e/d' -e 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
