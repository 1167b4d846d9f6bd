#!/usr/bin/env bash
# Installs the ltx2 Debian package (made by `cpack -G DEB` in the build folder) into a minimal
# Debian 12 (bookworm) root and runs `ltx2 --demo` there, so that the package is checked against
# its declared dependencies alone, not against whatever the building machine has installed.
#
#   scripts/test-deb-in-chroot.sh [--chroot-cache DIR] [--keep] build/ltx2_VERSION_ARCH.deb
#
# Builds nothing. Run as root. The first run makes a pristine root with
# `debootstrap --variant=minbase bookworm` into the cache folder (--chroot-cache DIR, else
# $LTX2_CHROOT_CACHE, else $HOME/.cache/ltx2/debian12-chroot; $LTX2_DEBIAN_MIRROR changes the
# mirror) and later runs reuse it. Each run works on a fresh copy of it (next to the cache, removed
# at the end unless --keep), so a previous run's packages never hide a missing dependency.
# In the copy: apt-get update (bookworm, bookworm-updates, bookworm-security, as the debian:bookworm
# image), `apt-get install -y --no-install-recommends ./ltx2_*.deb` (only the package's Depends),
# a check that every library of ltx2 resolves, then `ltx2 --demo` at a small size, and checks that
# the MP4 exists, is not trivially small and starts with an ISO-BMFF ftyp box.
# The host's packages are left alone, except that debootstrap is installed when it is missing.
# Exits non-zero on the first failure, naming the step.
set -euo pipefail

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
}

cache_dir="${LTX2_CHROOT_CACHE:-${HOME:-/root}/.cache/ltx2/debian12-chroot}"
mirror="${LTX2_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
keep=0
deb=""
while [ $# -gt 0 ]; do
    case "$1" in
        --chroot-cache) cache_dir="${2:?--chroot-cache needs a folder}"; shift ;;
        --chroot-cache=*) cache_dir="${1#*=}" ;;
        --keep) keep=1 ;;
        -h|--help) usage ;;
        -*) echo "test-deb-in-chroot: unknown option '$1' (expected --chroot-cache DIR, --keep)" >&2; exit 2 ;;
        *) [ -z "$deb" ] || { echo "test-deb-in-chroot: give one .deb (got '$deb' and '$1')" >&2; exit 2; }
           deb="$1" ;;
    esac
    shift
done
[ -n "$deb" ] || usage

step="start"
started=$(date +%s)
log() { printf '[test-deb-in-chroot %4ss] %s\n' "$(( $(date +%s) - started ))" "$*"; }
fail() { echo "test-deb-in-chroot: FAILED at step '$step': $*" >&2; exit 1; }
begin() { step="$1"; log "== $1"; }

work=""
mounts=()
cleanup() {
    local status=$? i
    for (( i=${#mounts[@]}-1; i>=0; i-- )); do
        umount "${mounts[$i]}" 2>/dev/null || umount -l "${mounts[$i]}" ||
            echo "test-deb-in-chroot: could not unmount ${mounts[$i]}" >&2
    done
    if [ -n "$work" ] && [ -d "$work" ]; then
        if grep -q " ${work}/" /proc/mounts; then
            echo "test-deb-in-chroot: something is still mounted under $work; not removing it" >&2
        elif [ "$keep" = 1 ]; then
            log "kept the root at $work (chroot $work /bin/bash)"
        else
            rm -rf --one-file-system "$work"
        fi
    fi
    if [ "$status" -ne 0 ]; then
        echo "test-deb-in-chroot: failed (exit $status) after $(( $(date +%s) - started )) s" >&2
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs a command inside the root with a clean environment.
in_root() {
    chroot "$work" /usr/bin/env -i HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

begin "check the arguments"
[ "$(id -u)" -eq 0 ] || fail "run as root (debootstrap, chroot and mount need it)"
[ -f "$deb" ] || fail "no such file: $deb"
deb="$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")"
package="$(dpkg-deb -f "$deb" Package 2>/dev/null)" || fail "$deb is not a Debian package (dpkg-deb -f failed)"
[ "$package" = ltx2 ] || fail "$deb is the package '$package', expected ltx2"
log "package: $(dpkg-deb -f "$deb" Package Version Architecture | tr '\n' ' ')($(du -h "$deb" | cut -f1))"
log "Depends: $(dpkg-deb -f "$deb" Depends)"
case "$cache_dir" in /*) ;; *) cache_dir="$PWD/$cache_dir" ;; esac
cache_dir="${cache_dir%/}"

begin "install debootstrap on the host"
if command -v debootstrap >/dev/null; then
    log "debootstrap is installed: $(dpkg-query -W -f='${Version}' debootstrap 2>/dev/null || echo '?')"
else
    apt-get update -qq || fail "apt-get update on the host failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap ||
        fail "apt-get install debootstrap failed"
fi

begin "make or reuse the Debian 12 root in $cache_dir"
if [ -f "$cache_dir/etc/debian_version" ] && [ -x "$cache_dir/usr/bin/apt-get" ]; then
    log "reusing $cache_dir (Debian $(cat "$cache_dir/etc/debian_version"), made by an earlier run)"
else
    [ ! -e "$cache_dir" ] ||
        fail "$cache_dir exists but is not a complete Debian root; remove it or give another --chroot-cache"
    partial="$cache_dir.partial"
    if [ -e "$partial" ]; then
        grep -q " ${partial}/" /proc/mounts && fail "something is mounted under $partial (an interrupted debootstrap?)"
        log "removing the unfinished $partial of an interrupted run"
        rm -rf --one-file-system "$partial"
    fi
    mkdir -p "$(dirname "$cache_dir")"
    log "debootstrap --variant=minbase bookworm $partial $mirror (minutes)"
    debootstrap --variant=minbase bookworm "$partial" "$mirror" > "$cache_dir.debootstrap.log" 2>&1 ||
        { tail -n 30 "$cache_dir.debootstrap.log" >&2; fail "debootstrap failed (log: $cache_dir.debootstrap.log)"; }
    mv "$partial" "$cache_dir"
    log "made $cache_dir ($(du -sh --one-file-system "$cache_dir" | cut -f1))"
fi

begin "copy the pristine root"
work="$(mktemp -d "$cache_dir.run.XXXXXX")"
cp -a --reflink=auto "$cache_dir/." "$work/" || fail "could not copy $cache_dir to $work"
security_mirror="${LTX2_DEBIAN_SECURITY_MIRROR:-${mirror%/debian}/debian-security}"
cat > "$work/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security_mirror bookworm-security main
EOF
cp -L /etc/resolv.conf "$work/etc/resolv.conf" 2>/dev/null ||
    log "no /etc/resolv.conf on the host; the root keeps its own"
printf '#!/bin/sh\nexit 101\n' > "$work/usr/sbin/policy-rc.d"  # no daemons started by package scripts
chmod 755 "$work/usr/sbin/policy-rc.d"
log "working root: $work"

begin "mount /proc (and /dev if needed) in the root"
mount -t proc proc "$work/proc" || fail "mount -t proc into $work/proc failed"
mounts+=("$work/proc")
if [ -c "$work/dev/null" ] && [ -c "$work/dev/urandom" ]; then
    log "/dev: debootstrap's device nodes suffice"
    # A private /dev/pts for apt's terminal log (without it apt says "Can not write log").
    if mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$work/dev/pts" 2>/dev/null; then
        mounts+=("$work/dev/pts")
    fi
else
    mount --bind /dev "$work/dev" || fail "mount --bind /dev into $work/dev failed"
    mounts+=("$work/dev")
    log "/dev: bound from the host (the root has no device nodes)"
fi

begin "apt-get update in the root"
in_root apt-get update -q || fail "apt-get update in the root failed (is $mirror reachable?)"
# shellcheck disable=SC2016  # ${Package} is dpkg-query's
packages_before=$(in_root dpkg-query -W -f='${Package}\n' | wc -l)

begin "apt-get install ./$(basename "$deb") in the root"
mkdir -p "$work/tmp/ltx2-deb"
cp "$deb" "$work/tmp/ltx2-deb/"
in_root /bin/sh -c 'cd /tmp/ltx2-deb && apt-get install -y --no-install-recommends ./ltx2_*.deb' ||
    fail "apt-get install of the package (and its declared dependencies) failed"
# shellcheck disable=SC2016
packages_after=$(in_root dpkg-query -W -f='${Package}\n' | wc -l)
log "packages: $packages_before in the minimal root, $packages_after after the install" \
    "($(( packages_after - packages_before )) added); root now $(du -sh --one-file-system "$work" | cut -f1)"

begin "check that the installed programs find every library"
in_root dpkg -L ltx2 | grep -E '^/usr/(bin/|lib/.*\.so)' | sed 's/^/  /' || true
for f in $(in_root dpkg -L ltx2 | grep -E '^/usr/bin/|/libltx2\.so\.[0-9.]+$'); do
    [ -L "$work$f" ] && continue
    deps="$(in_root ldd "$f")" || fail "ldd $f failed"
    if grep -q 'not found' <<< "$deps"; then
        grep 'not found' <<< "$deps" >&2
        fail "$f needs libraries the package's dependencies do not bring"
    fi
    if readelf -d "$work$f" | grep -Eq 'R(UN)?PATH'; then
        fail "$f carries an RPATH/RUNPATH: $(readelf -d "$work$f" | grep -E 'R(UN)?PATH')"
    fi
done
in_root ltx2 --version || fail "ltx2 --version failed"

begin "ltx2 --demo in the root"
demo_args=(--demo -p "a cat playing the piano" -W 192 -H 128 --frames 9 --seed 1 --threads 2
           -o /tmp/ltx2-demo.mp4)
log "ltx2 ${demo_args[*]}"
demo_started=$(date +%s)
in_root env LTX2_DEMO_DIR=/tmp/ltx2-demo-model ltx2 "${demo_args[@]}" < /dev/null ||
    fail "ltx2 --demo exited with status $?"
log "the demo took $(( $(date +%s) - demo_started )) s (its model written on first use included)"

begin "check the MP4"
mp4="$work/tmp/ltx2-demo.mp4"
[ -f "$mp4" ] || fail "ltx2 reported success but wrote no /tmp/ltx2-demo.mp4"
size=$(stat -c %s "$mp4")
[ "$size" -ge 2048 ] || fail "/tmp/ltx2-demo.mp4 is only $size bytes"
box="$(dd if="$mp4" bs=1 skip=4 count=4 2>/dev/null)"
[ "$box" = ftyp ] || fail "/tmp/ltx2-demo.mp4 does not start with an ISO-BMFF ftyp box (bytes 4-7: '$box')"
log "/tmp/ltx2-demo.mp4: $size bytes, starts with an ftyp box (brand '$(dd if="$mp4" bs=1 skip=8 count=4 2>/dev/null)')"
if command -v ffprobe >/dev/null; then  # the host's, only to show what was written
    ffprobe -v error -show_entries stream=codec_name,width,height,nb_frames,sample_rate -of compact "$mp4" |
        sed 's/^/  /' || true
fi

step="done"
log "PASSED: $(basename "$deb") installs into a minimal Debian 12 with its declared dependencies" \
    "and ltx2 --demo writes an MP4"
