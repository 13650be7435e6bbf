import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ImageSpec } from "../../catalog/schema.ts";
import { fixtureImage, judge, type RuleCase, testRuleTable } from "../testing.ts";
import { runtimeNotBuildtime } from "./runtime-not-buildtime.ts";

const WORDPRESS_GMP = `FROM wordpress:6.9.4-php8.3-fpm
RUN set -eux; \\
    apt-get update; \\
    apt-get install -y --no-install-recommends libgmp-dev; \\
    docker-php-ext-install -j"$(nproc)" gmp; \\
    apt-mark manual libgmp10; \\
    apt-get purge -y --auto-remove libgmp-dev; \\
    rm -rf /var/lib/apt/lists/*
`;

const OFFICIAL_IDIOM = `FROM php:8.3-fpm
RUN savedAptMark="$(apt-mark showmanual)"; \\
    apt-get update && apt-get install -y gcc make libzip-dev; \\
    docker-php-ext-install zip; \\
    apt-mark auto '.*' > /dev/null; \\
    apt-mark manual $savedAptMark libzip4; \\
    apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false
`;

const cases: RuleCase[] = [
  {
    name: "admits wordpress-fpm's gmp build, headers purged in the same RUN",
    dockerfile: WORDPRESS_GMP,
    expect: [],
  },
  {
    name: "admits the official images' apt-mark auto idiom",
    dockerfile: OFFICIAL_IDIOM,
    expect: [],
  },
  {
    name: "admits apk's virtual group deleted in the same RUN",
    dockerfile:
      "FROM alpine:3.20\nRUN apk add --no-cache --virtual .build-deps gcc musl-dev && make && apk del .build-deps\n",
    expect: [],
  },
  {
    name: "admits node as a runtime (slim variant)",
    dockerfile: "FROM node:24-bookworm-slim\nCOPY app /app\n",
    expect: [],
  },
  {
    name: "admits a toolchain image in a build stage",
    dockerfile:
      "FROM rust:1.88-slim-bookworm AS build\nRUN cargo build\nFROM debian:12-slim\nCOPY --from=build /a /a\n",
    expect: [],
  },
  {
    name: "refuses a toolchain image as the final stage",
    dockerfile: "FROM golang:1.23\nCOPY . /src\n",
    expect: [
      {
        rule: "A2.toolchain-base",
        severity: "error",
        line: 1,
        message: "the final stage runs on golang:1.23: golang is a toolchain image, not a runtime",
      },
    ],
  },
  {
    name: "refuses a JDK as the final stage, admits the JRE",
    dockerfile: "FROM eclipse-temurin:21-jdk\nCOPY app.jar /app.jar\n",
    expect: [
      {
        rule: "A2.toolchain-base",
        severity: "error",
        line: 1,
        message:
          "the final stage runs on eclipse-temurin:21-jdk: eclipse-temurin:21-jdk is a JDK; its runtime is the jre variant, not a runtime",
      },
    ],
  },
  {
    name: "admits a JRE as the final stage",
    dockerfile: "FROM eclipse-temurin:21-jre\nCOPY app.jar /app.jar\n",
    expect: [],
  },
  {
    name: "warns about an interpreter's full variant",
    dockerfile: "FROM node:24-bookworm\nCOPY app /app\n",
    expect: [
      {
        rule: "A2.full-variant",
        severity: "warning",
        line: 1,
        message:
          "the final stage runs on node:24-bookworm, the full variant built on buildpack-deps, which carries gcc and make",
      },
    ],
  },
  {
    name: "refuses a compiler kept in the final stage",
    dockerfile:
      "FROM debian:12-slim\nRUN apt-get update && apt-get install -y build-essential gcc-12 && rm -rf /var/lib/apt/lists/*\n",
    expect: [
      {
        rule: "A2.compiler-installed",
        severity: "error",
        line: 2,
        message:
          "the final stage installs build-essential, gcc and keeps them: a compiler in a runtime image",
      },
    ],
  },
  {
    name: "refuses a compiler that is purged by another RUN",
    dockerfile: "FROM debian:12-slim\nRUN apt-get install -y make\nRUN apt-get purge -y make\n",
    expect: [
      {
        rule: "A2.compiler-installed",
        severity: "error",
        line: 2,
        message: "the final stage installs make and keeps it: a compiler in a runtime image",
      },
    ],
  },
  {
    name: "refuses rustup installed with curl",
    dockerfile: "FROM debian:12-slim\nRUN curl -sSf https://sh.rustup.rs | sh -s -- -y\n",
    expect: [
      {
        rule: "A2.compiler-installed",
        severity: "error",
        line: 2,
        message: "the final stage installs rustup and keeps it: a compiler in a runtime image",
      },
    ],
  },
  {
    name: "warns about headers kept in the final stage",
    dockerfile:
      "FROM php:8.3-fpm\nRUN apt-get install -y libgmp-dev && docker-php-ext-install gmp\n",
    expect: [
      {
        rule: "A2.dev-package-kept",
        severity: "warning",
        line: 2,
        message:
          "the final stage keeps the development package libgmp-dev, which only building needs",
      },
    ],
  },
  {
    name: "refuses an image without a workload",
    dockerfile: "FROM debian:12-slim\nRUN true\n",
    spec: { deploy: undefined as unknown as ImageSpec["deploy"] },
    expect: [
      {
        rule: "A2.no-workload",
        severity: "error",
        message: "example names no Kubernetes workload, so nothing shows it is a runtime",
      },
    ],
  },
  {
    name: "refuses cargo-chef as a base",
    dockerfile:
      "FROM lukemathwalker/cargo-chef:0.1.68-rust-1.88 AS chef\nRUN cargo chef prepare\nFROM debian:12-slim\nCOPY --from=chef /a /a\n",
    expect: [
      {
        rule: "A2.cargo-chef",
        severity: "error",
        line: 1,
        message:
          "FROM lukemathwalker/cargo-chef:0.1.68-rust-1.88 builds on cargo-chef, which pre-cooks dependency layers",
      },
      {
        rule: "A2.cargo-chef",
        severity: "error",
        line: 2,
        message: "RUN uses cargo-chef, which pre-cooks dependency layers",
      },
    ],
  },
  {
    name: "refuses cargo install cargo-chef",
    dockerfile:
      "FROM rust:1.88 AS build\nRUN cargo install cargo-chef --locked\nFROM debian:12-slim\nCOPY --from=build /a /a\n",
    expect: [
      {
        rule: "A2.cargo-chef",
        severity: "error",
        line: 2,
        message: "RUN uses cargo-chef, which pre-cooks dependency layers",
      },
    ],
  },
];

describe("A2 runtime-not-buildtime", () => {
  testRuleTable(runtimeNotBuildtime, cases);

  const base = fixtureImage({
    dockerfile: "FROM debian:12-slim\nRUN true\n",
    spec: { name: "base" },
  });
  const donors: RuleCase[] = [
    {
      name: "refuses a catalog image as a FROM, by registry name",
      dockerfile: "FROM reg.example.org/solera/base:1.0.0\nRUN true\n",
      expect: [
        {
          rule: "A2.catalog-image-as-base",
          severity: "error",
          line: 1,
          message:
            "FROM reg.example.org/solera/base:1.0.0 uses the catalog image base as a build source; catalog images are runtimes, not bases",
        },
      ],
    },
    {
      name: "refuses a catalog image as a COPY --from source, by bare name",
      dockerfile: "FROM debian:12-slim\nCOPY --from=base:1.0.0 /a /a\n",
      expect: [
        {
          rule: "A2.catalog-image-as-base",
          severity: "error",
          line: 2,
          message:
            "COPY --from=base:1.0.0 uses the catalog image base as a build source; catalog images are runtimes, not bases",
        },
      ],
    },
    {
      name: "admits COPY --from a stage that shares a catalog image's name",
      dockerfile:
        "FROM debian:12-slim AS base\nRUN true\nFROM debian:12-slim\nCOPY --from=base /a /a\n",
      expect: [],
    },
  ];
  for (const { name, dockerfile, expect } of donors) {
    it(name, () => assert.deepEqual(judge(runtimeNotBuildtime, { dockerfile }, [base]), expect));
  }
});
