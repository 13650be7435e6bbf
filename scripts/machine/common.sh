# shellcheck shell=bash disable=SC2034
# Shared helpers for scripts/prepare-machine.sh and the steps in scripts/machine/.
# Sourced, not run: every step prints what it does on stderr, so stdout stays free for results.

# The scripts/ folder, whichever step sources this file.
SOLERA_SCRIPTS=$(CDPATH='' cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
SOLERA_STATE=${SOLERA_STATE:-/var/lib/solera}
SOLERA_CACHE=${SOLERA_CACHE:-/var/cache/solera}
MIRROR_ADDR=${SOLERA_MIRROR_ADDR:-127.0.0.1:5001}
PUSH_ADDR=${SOLERA_PUSH_ADDR:-127.0.0.1:5000}
PUSH_USER=solera
# The 20.10 client from docker.io carries BuildKit; the newer CLI on PATH may lack buildx.
ENGINE_DOCKER=${SOLERA_DOCKER:-/usr/bin/docker}

# say MESSAGE: one line of progress on stderr, prefixed so it can be told apart in CI logs.
say() {
  printf 'prepare-machine: %s\n' "$*" >&2
}

# warn MESSAGE: something could not be done; the run goes on.
warn() {
  printf 'prepare-machine: WARNING: %s\n' "$*" >&2
}

# die MESSAGE: something the rest depends on failed; stop with a reason.
die() {
  printf 'prepare-machine: ERROR: %s\n' "$*" >&2
  exit 1
}

# now: seconds since the epoch, for the timings printed at the end of each step.
now() {
  date +%s
}

# wait_for_url URL SECONDS [CURL-ARGS...]: true once URL answers with any HTTP status.
# A distribution registry answers /v2/ with 200 or, behind auth, 401: both mean it is up.
wait_for_url() {
  local url=$1 seconds=$2 code
  shift 2
  for _ in $(seq 1 $((seconds * 4))); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$@" "$url" 2>/dev/null || true)
    if [ "$code" != "000" ] && [ -n "$code" ]; then
      return 0
    fi
    sleep 0.25
  done
  return 1
}

# pid_alive FILE: true when FILE names a running process.
pid_alive() {
  [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

# manifest_exists REGISTRY REPOSITORY REFERENCE: true when the registry has that manifest.
# Accept headers cover both index types and both single-image types.
manifest_exists() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' -I \
    -H 'Accept: application/vnd.oci.image.index.v1+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://$1/v2/$2/manifests/$3" || true)
  [ "$code" = "200" ]
}
