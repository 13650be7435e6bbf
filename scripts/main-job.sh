#!/usr/bin/env bash
# The main job on a fresh Debian machine, as root: prepares the machine, builds every image of
# the catalog that can be built here, pushes it to the local push registry, audits each pushed
# delta against its upstream and runs the smoke tests; the first step that fails ends the job
# with that step's exit code.
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
#
# Where it pushes: 127.0.0.1:5000/solera/<commit>, one namespace per commit (with -dirty-<hash
# of the diff> for a working tree with changes). Pinned tags are immutable, and every commit
# builds a different image (its revision label differs), so one fixed namespace would refuse
# the second commit's push with exit 5; the same commit run again finds its images unchanged.
# The lock goes to .cache/main-job/solera.lock.json (git ignores .cache): catalog/solera.lock.json
# records the catalog's own registry and is not for digests of a local one.
# SOLERA_REGISTRY and SOLERA_LOCK override both. Extra arguments go to `solera build` (for
# example --keep-going). Against a real registry, run
# `./solera build --all --push --registry <host>/<path>`.
set -euo pipefail

root=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)

# namespace: the commit, and a hash of the uncommitted diff when there is one.
namespace() {
  local rev
  rev=$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null) || { echo local; return; }
  if git -C "$root" diff --quiet HEAD -- 2>/dev/null; then
    echo "$rev"
  else
    echo "$rev-dirty-$(git -C "$root" diff HEAD -- | sha256sum | cut -c1-8)"
  fi
}

registry=${SOLERA_REGISTRY:-127.0.0.1:5000/solera/$(namespace)}
lock=${SOLERA_LOCK:-$root/.cache/main-job/solera.lock.json}
mkdir -p "$(dirname "$lock")"

# Networks that intercept TLS (a proxy re-signing every connection with its own CA) make npm
# inside a build fail with SELF_SIGNED_CERT_IN_CHAIN unless the build trusts that CA too. The
# machine's bundle is offered as the BuildKit secret "ca", which fip-controller's Dockerfile
# mounts for `npm ci` only (never into a layer); images that do not ask for it ignore it.
secrets=()
for bundle in "${NODE_EXTRA_CA_CERTS:-}" "${SSL_CERT_FILE:-}"; do
  if [ -n "$bundle" ] && [ -s "$bundle" ]; then
    secrets=(--secret "id=ca,src=$bundle")
    echo "main-job: offering $bundle to the builds as the secret \"ca\"" >&2
    break
  fi
done

echo "main-job: preparing this machine (packages, Docker engine, local registries, stand-ins)" >&2
bash "$root/scripts/prepare-machine.sh"

echo "main-job: building the catalog and pushing it to $registry (lock: $lock)" >&2
"$root/solera" build --all --push --registry "$registry" --lock "$lock" \
  --skip-unavailable "${secrets[@]}" "$@"

# The rest of the main job reads back what was pushed: the audit proves each delta against its
# upstream layer by layer, and the smoke tests run the delta. Images skipped above are not in
# the registry and are reported as skipped again.
echo "main-job: auditing each pushed image's delta against its upstream" >&2
"$root/solera" audit --all --skip-unavailable --registry "$registry"

echo "main-job: running the smoke tests of each pushed image" >&2
"$root/solera" smoke --all --skip-unavailable --registry "$registry"
