#!/usr/bin/env bash
# Slims a debootstrapped root the way Docker Hub's debian:*-slim images are slimmed.
#
#   slim.sh ROOT MIRROR_URL SECURITY_URL SUITE
#
# The settings mirror what the official image ships in /etc/apt/apt.conf.d/docker-* and
# /etc/dpkg/dpkg.cfg.d/docker: later `apt-get install` in a build keeps no .deb files, no
# binary caches, no translations, and dpkg leaves docs, man pages and locales out. Copyright
# files stay, as in the official image.
set -euo pipefail

root=$1 mirror=$2 security=$3 suite=$4
# Everything below deletes inside ROOT: refuse the host's own root.
if [ -z "$root" ] || [ "$(realpath "$root")" = / ]; then
  echo "slim.sh: refusing to slim '$root'" >&2
  exit 1
fi
apt=$root/etc/apt/apt.conf.d

# apt: remove downloaded packages and the binary caches after every dpkg run and update.
clean='"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true";'
cat >"$apt/docker-clean" <<CONF
DPkg::Post-Invoke { $clean };
APT::Update::Post-Invoke { $clean };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CONF
echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$apt/docker-autoremove-suggests"
printf '%s\n' 'Acquire::GzipIndexes "true";' 'Acquire::CompressionTypes::Order:: "gz";' \
  >"$apt/docker-gzip-indexes"
echo 'Acquire::Languages "none";' >"$apt/docker-no-languages"

# dpkg: skip fsync in throw-away build containers, and leave documentation out.
mkdir -p "$root/etc/dpkg/dpkg.cfg.d"
echo 'force-unsafe-io' >"$root/etc/dpkg/dpkg.cfg.d/docker-apt-speedup"
cat >"$root/etc/dpkg/dpkg.cfg.d/docker" <<'CONF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
CONF

# Services never start inside an image build.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"

# Sources in deb822 form, as the official bookworm image has them.
rm -f "$root/etc/apt/sources.list"
cat >"$root/etc/apt/sources.list.d/debian.sources" <<CONF
Types: deb
URIs: $mirror
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
CONF

# What the exclusions above would have kept out had they been there from the start.
find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
rm -rf "${root:?}"/usr/share/man/* "${root:?}"/usr/share/info/* "${root:?}"/usr/share/groff/* \
  "${root:?}"/usr/share/lintian/overrides/* "${root:?}"/usr/share/linda/*

# Caches, lists, logs and machine identity: the engine supplies what a container needs.
rm -rf "${root:?}"/var/lib/apt/lists/* "${root:?}"/var/cache/apt/* "${root:?}"/var/cache/debconf/*-old \
  "${root:?}"/var/lib/dpkg/*-old "${root:?}"/var/cache/ldconfig/aux-cache "${root:?}"/dev/* \
  "${root:?}"/tmp/* "${root:?}"/var/tmp/* "${root:?}"/run/*
mkdir -p "$root/var/lib/apt/lists/partial" "$root/var/cache/apt/archives/partial"
find "$root/var/log" -type f -delete
: >"$root/etc/machine-id"
rm -f "$root/etc/hostname" "$root/etc/resolv.conf"
: >"$root/etc/resolv.conf"
