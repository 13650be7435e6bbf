#!/bin/sh
# Runs the arguments with a supported Node.js (see ensure-node.sh), so npm scripts work even
# when the system Node is older than 22.
set -eu
node=$(sh "$(dirname -- "$0")/ensure-node.sh")
exec "$node" "$@"
