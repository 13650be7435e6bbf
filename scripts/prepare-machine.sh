#!/usr/bin/env bash
# Prepares a Debian 12 machine (as root) for solera's main job and integration tests.
#
# Installs what is missing (Docker engine, distribution registry, debootstrap, QEMU), then starts
# in the background, with pid files and logs under /var/lib/solera:
#   - a registry mirror at 127.0.0.1:5001 (no auth) serving stand-ins for Docker Hub's
#     debian:bookworm-slim and node:24-bookworm-slim, for linux/amd64 and linux/arm64;
#   - a push registry at 127.0.0.1:5000 with htpasswd auth (user solera, password generated once
#     into /var/lib/solera/push-registry.password);
#   - dockerd using the mirror as its registry mirror, logged in to the push registry.
# Writes /var/lib/solera/test-env.json for the tests. Safe to run again: it reuses what exists.
# Progress goes to stderr. SOLERA_SKIP_STAND_INS=1 leaves the stand-ins out.
set -euo pipefail

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
for step in common packages binfmt registries dockerd stand-ins test-env; do
  # shellcheck source=/dev/null
  . "$here/machine/$step.sh"
done

if [ "$(id -u)" != 0 ]; then
  die "run me as root: I install Debian packages and start dockerd and two registries"
fi

started=$(now)
step_started=$started

# timed NAME: print how long the step that just ended took.
timed() {
  local t
  t=$(now)
  say "$1 took $((t - step_started)) s"
  step_started=$t
}

install_packages
timed packages
enable_binfmt
timed binfmt
start_registries
timed registries
ensure_dockerd
login_push_registry "$(push_password)"
timed dockerd
if [ "${SOLERA_SKIP_STAND_INS:-}" != 1 ]; then
  make_stand_ins
  timed stand-ins
fi
write_test_env
say "ready in $(($(now) - started)) s: mirror http://$MIRROR_ADDR, push registry http://$PUSH_ADDR (user $PUSH_USER), platforms: $SOLERA_PLATFORMS; details in $SOLERA_STATE/test-env.json"
