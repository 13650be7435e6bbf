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
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 \
    || die "apt-get install ${missing[*]} failed"
}
