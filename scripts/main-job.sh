#!/usr/bin/env bash
# The main job on a fresh Debian machine, as root: prepares the machine, then builds every
# image of the catalog that can be built here and pushes it to the local push registry.
#
# What it installs and starts (scripts/prepare-machine.sh, reused when already there):
#   - Debian packages: docker.io, iptables, docker-registry, debootstrap, qemu-user-static,
#     binfmt-support, apache2-utils, iproute2, openssl, ca-certificates, curl, jq;
#   - qemu-aarch64 in binfmt_misc, for linux/arm64 builds on amd64;
#   - a registry mirror at 127.0.0.1:5001 with stand-ins for debian:bookworm-slim and
#     node:24-bookworm-slim, and a push registry at 127.0.0.1:5000 (user solera, password in
#     /var/lib/solera/push-registry.password), both in the background, logs in /var/lib/solera;
#   - dockerd in the background with that mirror, logged in to the push registry.
# Images whose upstream no reachable registry serves are skipped, and the summary says so.
# Extra arguments go to `solera build` (for example --keep-going, or an image name instead of
# --all). Against a real registry, run `./solera build --all --push --registry <host>/<path>`.
set -euo pipefail

root=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
registry=${SOLERA_REGISTRY:-127.0.0.1:5000/solera}

echo "main-job: preparing this machine (packages, Docker engine, local registries, stand-ins)" >&2
bash "$root/scripts/prepare-machine.sh"

echo "main-job: building the catalog and pushing it to $registry" >&2
exec "$root/solera" build --all --push --registry "$registry" --skip-unavailable "$@"
