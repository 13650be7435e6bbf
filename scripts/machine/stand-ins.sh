# shellcheck shell=bash disable=SC2034
# Step 5: stand-ins for Docker Hub's official images, served by the mirror as multi-platform
# indexes, so an unmodified `FROM debian:bookworm-slim` or `FROM node:24-bookworm-slim` builds
# here. Work whose result the mirror already holds is skipped; debootstrap output is kept in
# $SOLERA_CACHE.

# Set by make_stand_ins: the stand-ins the mirror serves, as repository:tag.
SOLERA_STAND_INS=""
NODE_MAJOR=24

# apt_source_uri SUITE: the first URI the host's apt uses for SUITE (deb822 or one-line form).
apt_source_uri() {
  local suite=$1 files
  files=$(ls /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null || true)
  [ -n "$files" ] || return 0
  # shellcheck disable=SC2086
  awk -v suite="$suite" '
    /^[[:space:]]*deb[[:space:]]/ {
      i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
      if ($(i + 1) == suite) { print $i; exit }
    }
    /^URIs:/ { uri = $2 }
    /^Suites:/ { for (j = 2; j <= NF; j++) if ($j == suite && uri != "") { print uri; exit } }
    /^[[:space:]]*$/ { uri = "" }
  ' $files | head -n 1
}

# has_index REPOSITORY TAG: true when the mirror holds TAG as an index naming every platform.
has_index() {
  local repo=$1 tag=$2 body platform
  body=$(curl -sf -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
    -H 'Accept: application/vnd.oci.image.index.v1+json' \
    "http://$MIRROR_ADDR/v2/$repo/manifests/$tag" 2>/dev/null) || return 1
  for platform in $SOLERA_PLATFORMS; do
    jq -e --arg os "${platform%/*}" --arg arch "${platform#*/}" \
      '.manifests[]? | select(.platform.os == $os and .platform.architecture == $arch)' \
      >/dev/null <<<"$body" || return 1
  done
}

# push_index REPOSITORY TAG: assemble TAG from the pushed TAG-<arch> images, one per platform.
push_index() {
  local repo=$1 tag=$2 target=$MIRROR_ADDR/$1:$2 sources=() platform
  for platform in $SOLERA_PLATFORMS; do
    sources+=("$MIRROR_ADDR/$repo:$tag-${platform#*/}")
  done
  "$ENGINE_DOCKER" manifest rm "$target" >/dev/null 2>&1 || true
  "$ENGINE_DOCKER" manifest create --insecure "$target" "${sources[@]}" >/dev/null \
    || die "docker manifest create $target failed"
  "$ENGINE_DOCKER" manifest push --insecure --purge "$target" >/dev/null \
    || die "docker manifest push $target failed"
  has_index "$repo" "$tag" || die "the mirror does not serve $target as an index of $SOLERA_PLATFORMS"
  say "stand-ins: $target is an index of: $SOLERA_PLATFORMS"
}

# make_debian_roots: debootstrap a root tarball per platform not cached yet, in parallel.
make_debian_roots() {
  local mirror security platform arch tar pids=() started
  mirror=$(apt_source_uri bookworm)
  security=$(apt_source_uri bookworm-security)
  mirror=${mirror:-http://deb.debian.org/debian}
  security=${security:-http://deb.debian.org/debian-security}
  started=$(now)
  for platform in $SOLERA_PLATFORMS; do
    arch=${platform#*/}
    tar=$SOLERA_CACHE/debian-$arch/rootfs.tar
    mkdir -p "$SOLERA_CACHE/debian-$arch"
    [ -s "$tar" ] && continue
    say "stand-ins: debootstrap bookworm minbase for $arch from $mirror (log $SOLERA_CACHE/debootstrap-$arch.log)"
    bash "$SOLERA_SCRIPTS/stand-ins/debian/make-rootfs.sh" "$arch" "$mirror" "$security" "$tar" \
      "$SOLERA_CACHE/debs-$arch" >"$SOLERA_CACHE/debootstrap-$arch.log" 2>&1 &
    pids+=("$!:$arch")
  done
  for entry in "${pids[@]}"; do
    wait "${entry%%:*}" || die "debootstrap for ${entry#*:} failed: $(tail -n 5 "$SOLERA_CACHE/debootstrap-${entry#*:}.log")"
    say "stand-ins: debian root for ${entry#*:} ready after $(($(now) - started)) s"
  done
}

# make_debian_stand_in: library/debian:bookworm-slim from the debootstrapped roots.
make_debian_stand_in() {
  local repo=library/debian tag=bookworm-slim platform arch ref
  if has_index "$repo" "$tag"; then
    say "stand-ins: mirror already serves $repo:$tag"
    return 1
  fi
  make_debian_roots
  for platform in $SOLERA_PLATFORMS; do
    arch=${platform#*/}
    ref=$MIRROR_ADDR/$repo:$tag-$arch
    say "stand-ins: building $ref from the debian root with BuildKit, and pushing it"
    DOCKER_BUILDKIT=1 "$ENGINE_DOCKER" build --platform "$platform" -t "$ref" \
      -f "$SOLERA_SCRIPTS/stand-ins/debian/Dockerfile" "$SOLERA_CACHE/debian-$arch" \
      >"$SOLERA_CACHE/debian-build-$arch.log" 2>&1 \
      || die "building $ref failed: $(tail -n 10 "$SOLERA_CACHE/debian-build-$arch.log")"
    "$ENGINE_DOCKER" push "$ref" >/dev/null || die "pushing $ref to the mirror failed"
  done
  push_index "$repo" "$tag"
}

# node_context ARCH: a build context with Node's binary and npm from their npm packages.
node_context() {
  local arch=$1 npm_arch dir=$SOLERA_CACHE/node-context-$1 packs=$SOLERA_CACHE/npm-packs file
  case "$arch" in amd64) npm_arch=x64 ;; *) npm_arch=$arch ;; esac
  mkdir -p "$packs"
  if [ ! -x "$dir/node" ] || [ ! -f "$dir/npm/package.json" ]; then
    command -v npm >/dev/null \
      || die "npm is needed to fetch Node.js for the node stand-in; install Node.js with npm and retry"
    rm -rf "$dir" && mkdir -p "$dir/unpack"
    for pkg in "node-linux-$npm_arch@$NODE_MAJOR" "npm@11"; do
      say "stand-ins: npm pack $pkg"
      file=$(cd "$packs" && npm pack --silent "$pkg" | tail -n 1)
      mkdir -p "$dir/unpack/${pkg%@*}"
      tar -xzf "$packs/$file" -C "$dir/unpack/${pkg%@*}" --strip-components=1
    done
    mv "$dir/unpack/node-linux-$npm_arch/bin/node" "$dir/node"
    jq -r .version "$dir/unpack/node-linux-$npm_arch/package.json" >"$dir/node-version"
    mv "$dir/unpack/npm" "$dir/npm"
    rm -rf "$dir/unpack"
  fi
  cp "$SOLERA_SCRIPTS/stand-ins/node/docker-entrypoint.sh" "$dir/docker-entrypoint.sh"
  echo "$dir"
}

# make_node_stand_in [FORCE]: library/node:24-bookworm-slim built FROM the debian stand-in.
make_node_stand_in() {
  local repo=library/node tag=$NODE_MAJOR-bookworm-slim platform arch ref context
  if [ -z "${1:-}" ] && has_index "$repo" "$tag"; then
    say "stand-ins: mirror already serves $repo:$tag"
    return 0
  fi
  for platform in $SOLERA_PLATFORMS; do
    arch=${platform#*/}
    ref=$MIRROR_ADDR/$repo:$tag-$arch
    context=$(node_context "$arch")
    say "stand-ins: building $ref (Node $(cat "$context/node-version")) with BuildKit"
    DOCKER_BUILDKIT=1 "$ENGINE_DOCKER" build --pull --platform "$platform" \
      --build-arg "NODE_VERSION=$(cat "$context/node-version")" \
      -f "$SOLERA_SCRIPTS/stand-ins/node/Dockerfile" -t "$ref" "$context" >"$SOLERA_CACHE/node-build-$arch.log" 2>&1 \
      || die "building $ref failed: $(tail -n 10 "$SOLERA_CACHE/node-build-$arch.log")"
    "$ENGINE_DOCKER" push "$ref" >/dev/null || die "pushing $ref to the mirror failed"
  done
  push_index "$repo" "$tag"
}

# make_stand_ins: the debian stand-in, then the node stand-in on top of it.
make_stand_ins() {
  local rebuilt=""
  mkdir -p "$SOLERA_CACHE"
  make_debian_stand_in && rebuilt=yes
  make_node_stand_in "$rebuilt"
  SOLERA_STAND_INS="library/debian:bookworm-slim library/node:$NODE_MAJOR-bookworm-slim"
}
