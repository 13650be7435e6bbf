#!/bin/sh
# Runs the container's command; an option (`-e …`) or a word that is no command goes to node,
# so `docker run image --version` prints Node's version as it does with the official image.
set -e
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v -- "${1:-}" 2>/dev/null)" ]; then
  set -- node "$@"
fi
exec "$@"
