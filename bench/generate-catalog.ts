import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

// Generates a catalog of n admissible images for benchmarks. Three shapes rotate, like the
// shipped catalog's: a PHP upstream-extension with an ini delta, a Debian slim agent, and a
// from-source build on a toolchain image. Each image has image.yaml, a Dockerfile and an ini file.

const SHAPES = [phpImage, agentImage, fromSourceImage];

/** Writes catalog.yaml (copied from `catalogYaml`) and n images under `dir`. */
export function generateCatalog(dir: string, count: number, catalogYaml: string): void {
  mkdirSync(join(dir, "images"), { recursive: true });
  copyFileSync(catalogYaml, join(dir, "catalog.yaml"));
  for (let index = 0; index < count; index++) {
    const name = `image-${String(index).padStart(4, "0")}`;
    const shape = SHAPES[index % SHAPES.length] ?? phpImage;
    const folder = join(dir, "images", name);
    mkdirSync(folder);
    const files = shape(name, index);
    for (const [file, text] of Object.entries(files)) writeFileSync(join(folder, file), text);
  }
}

function imageYaml(name: string, body: string): string {
  return `name: ${name}
version: 1.${name.slice(-4)}.0
capabilities: [benchmark, generated]
${body}
smoke:
  - name: runs
    run: ["true"]
`;
}

const INI = (index: number) => `; Limits for media uploads (generated)
upload_max_filesize = ${64 + (index % 8)}M
post_max_size = ${72 + (index % 8)}M
memory_limit = 256M
max_execution_time = 120
max_input_time = 120
`;

function phpImage(name: string, index: number): Record<string, string> {
  return {
    "image.yaml": imageYaml(
      name,
      `class: upstream-extension
description: WordPress on php-fpm with gmp and media limits (generated ${index}).
platforms: [linux/amd64, linux/arm64]
delta:
  provides: [gd (avif, webp, freetype), imagick, bcmath, exif, intl, mysqli, zip, opcache]
  adds: [gmp extension, media ini limits]
  refuses: [plugins, themes, content]
deploy:
  workload: Deployment
  env:
    - name: WORDPRESS_DB_HOST
      value: mariadb.svc.cluster.local:3306
  ports:
    - name: fpm
      port: 9000`,
    ),
    Dockerfile: `FROM wordpress:6.9.4-php8.3-fpm
# gmp with the upstream's tooling; headers purged in the same layer.
RUN set -eux; \\
    apt-get update; \\
    apt-get install -y --no-install-recommends libgmp-dev; \\
    docker-php-ext-install -j"$(nproc)" gmp; \\
    apt-mark manual libgmp10; \\
    apt-get purge -y --auto-remove libgmp-dev; \\
    rm -rf /var/lib/apt/lists/*
COPY media.ini $PHP_INI_DIR/conf.d/zz-media.ini
`,
    "media.ini": INI(index),
  };
}

function agentImage(name: string, index: number): Record<string, string> {
  return {
    "image.yaml": imageYaml(
      name,
      `class: upstream-extension
description: Debian slim with iproute2 (generated ${index}).
platforms: [linux/amd64, linux/arm64]
delta:
  provides: [debian:bookworm-slim base (CVE patching, libc)]
  adds: [iproute2 only]
  refuses: [any other tool]
deploy:
  workload: DaemonSet
  node:
    hostNetwork: true
    capabilities: [NET_ADMIN]`,
    ),
    Dockerfile: `FROM debian:12.11-slim
RUN set -eux; \\
    apt-get update; \\
    apt-get install -y --no-install-recommends iproute2; \\
    rm -rf /var/lib/apt/lists/*
COPY limits.ini /etc/agent/limits.ini
`,
    "limits.ini": "memory_limit = 64M\nmax_execution_time = 30\n",
  };
}

function fromSourceImage(name: string, index: number): Record<string, string> {
  return {
    "image.yaml": imageYaml(
      name,
      `class: from-source
description: A Rust proxy compiled for linux/arm64 (generated ${index}).
platforms: [linux/arm64]
source:
  repository: https://github.com/example/proxy-${index}
  tag: v0.${index}.0
delta:
  provides: [cargo and rustup (build stage)]
  adds: [linux/arm64 compile, LTO-off profile override]
  refuses: [cargo-chef]
deploy:
  workload: Deployment
  replicas: 2
  ports:
    - name: http
      port: 8080`,
    ),
    Dockerfile: `FROM rust:1.88-slim-bookworm AS build
ARG TAG=v0.${index}.0
RUN git clone --depth 1 --branch "$TAG" https://github.com/example/proxy-${index}.git /src
WORKDIR /src
ENV CARGO_PROFILE_RELEASE_LTO=false
RUN cargo build --release --locked

FROM debian:12.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates libssl3 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/proxy /usr/local/bin/proxy
COPY limits.ini /etc/proxy/limits.ini
USER 10001
ENTRYPOINT ["/usr/local/bin/proxy"]
`,
    "limits.ini": "max_input_vars = 1000\n",
  };
}
