#!/usr/bin/env bash
# Makes a root file system tarball that stands in for Docker Hub's debian:bookworm-slim.
#
#   make-rootfs.sh ARCH MIRROR_URL SECURITY_URL OUTPUT.tar [DEB_CACHE_DIR]
#
# debootstrap's minbase variant from Debian's packages, then slimmed the way the official image
# is (apt and dpkg settings that keep caches, docs, man pages and translations out, no apt
# lists, no logs), so that an audit of a catalog image measures solera's delta, not the base.
# A foreign ARCH (arm64 on amd64) needs qemu-user-static registered in binfmt_misc with the
# F flag: debootstrap's second stage then runs arm64 binaries through chroot directly.
set -euo pipefail

arch=$1 mirror=$2 security=$3 output=$4 debs=${5:-}
suite=bookworm
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/var/tmp}/solera-rootfs-$arch.XXXXXX")
root=$work/root
trap 'umount_all; rm -rf "$work"' EXIT

# umount_all: debootstrap mounts /proc and /sys in the root; an interrupted run may leave them.
umount_all() {
  local m
  awk -v r="$root" 'index($2, r) == 1 {print $2}' /proc/mounts | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done
}

cache_args=()
if [ -n "$debs" ]; then
  mkdir -p "$debs"
  cache_args=(--cache-dir="$debs")
fi

echo "make-rootfs: debootstrap --variant=minbase --arch=$arch $suite from $mirror" >&2
debootstrap --variant=minbase --arch="$arch" "${cache_args[@]}" "$suite" "$root" "$mirror" \
  >"$work.log" 2>&1 || {
  tail -n 20 "$work.log" >&2
  echo "make-rootfs: debootstrap for $arch failed (log above)" >&2
  exit 1
}
rm -f "$work.log"
umount_all

bash "$here/slim.sh" "$root" "$mirror" "$security" "$suite"

tar -C "$root" --numeric-owner --xattrs -cf "$output.new" .
mv "$output.new" "$output"
echo "make-rootfs: wrote $output ($(du -m "$output" | cut -f1) MB)" >&2
