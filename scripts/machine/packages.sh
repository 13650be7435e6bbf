# shellcheck shell=bash disable=SC2034
# Step 1: Debian packages the engine, the registries and the stand-ins need.

# Why each package is here:
#   docker.io        the Docker engine (dockerd with BuildKit) and its 20.10 client
#   iptables         dockerd's bridge network and NAT, so RUN steps in builds reach the mirror
#   docker-registry  the distribution registry, for the mirror and the push target
#   debootstrap      builds the debian:bookworm-slim stand-in from Debian's own packages
#   qemu-user-static, binfmt-support   run arm64 binaries, for linux/arm64 builds
#   apache2-utils    htpasswd, for the push registry's bcrypt password file
#   iproute2         network namespaces for the agent's tests
#   openssl          generates the push registry's password
#   ca-certificates, curl, jq   https to Debian and npm; registry probes; daemon.json edits
SOLERA_PACKAGES="docker.io iptables docker-registry debootstrap qemu-user-static binfmt-support
apache2-utils iproute2 openssl ca-certificates curl jq"

# install_packages: apt-get update once, then install only what is missing.
install_packages() {
  local missing=() pkg
  for pkg in $SOLERA_PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
      missing+=("$pkg")
    fi
  done

  if [ ${#missing[@]} -eq 0 ]; then
    say "packages: all present: $(tr '\n' ' ' <<<"$SOLERA_PACKAGES")"
    return 0
  fi

  say "packages: installing ${missing[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || die "apt-get update failed; check /etc/apt/sources.list*"
  hold_services
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 \
    || { release_services; die "apt-get install ${missing[*]} failed"; }
  release_services
}

# hold_services: keep the packages' init scripts from starting dockerd and a registry on port
# 5000 during installation (policy-rc.d exit 101 means "not allowed"); the later steps start
# them with solera's own settings instead.
hold_services() {
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\n# written by solera prepare-machine during apt-get install\nexit 101\n' \
      >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
  fi
}

# release_services: remove the policy-rc.d that hold_services wrote, and only that one.
release_services() {
  if grep -q 'solera prepare-machine' /usr/sbin/policy-rc.d 2>/dev/null; then
    rm -f /usr/sbin/policy-rc.d
  fi
}
