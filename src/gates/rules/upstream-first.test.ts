import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type FindingSummary, judge } from "../testing.ts";
import { upstreamFirst } from "./upstream-first.ts";

const RUN = "RUN echo delta > /delta\n";

const cases: {
  name: string;
  dockerfile: string;
  expect: FindingSummary[];
  publishers?: string[];
}[] = [
  {
    name: "admits an official image with a version tag",
    dockerfile: `FROM wordpress:6.9.4-php8.3-fpm\n${RUN}`,
    expect: [],
  },
  {
    name: "admits a floating tag (T1 warns about it)",
    dockerfile: `FROM debian:bookworm-slim\n${RUN}`,
    expect: [],
  },
  {
    name: "admits a digest-only pin",
    dockerfile: `FROM debian@sha256:${"a".repeat(64)}\n${RUN}`,
    expect: [],
  },
  {
    name: "admits the fully qualified official name",
    dockerfile: `FROM docker.io/library/debian:12\n${RUN}`,
    expect: [],
  },
  {
    name: "admits an ARG with a default",
    dockerfile: `ARG TAG=12-slim\nFROM debian:\${TAG}\n${RUN}`,
    expect: [],
  },
  {
    name: "admits a final stage that copies from a build stage",
    dockerfile: `FROM rust:1.88 AS build\nRUN true\nFROM debian:12-slim\nCOPY --from=build /a /a\n`,
    expect: [],
  },
  {
    name: "admits an allow-listed publisher",
    dockerfile: `FROM bitnami/redis:7.2\n${RUN}`,
    publishers: ["bitnami"],
    expect: [],
  },
  {
    name: "refuses an image from an unlisted publisher",
    dockerfile: `FROM bitnami/redis:7.2\n${RUN}`,
    expect: [
      {
        rule: "A1.not-official",
        severity: "error",
        line: 1,
        message:
          "bitnami/redis:7.2 is not an official upstream: neither a Docker Official Image nor from a publisher listed in officialPublishers",
      },
    ],
  },
  {
    name: "refuses another registry",
    dockerfile: `FROM ghcr.io/acme/app:1.0\n${RUN}`,
    expect: [
      {
        rule: "A1.not-official",
        severity: "error",
        line: 1,
        message:
          "ghcr.io/acme/app:1.0 is not an official upstream: neither a Docker Official Image nor from a publisher listed in officialPublishers",
      },
    ],
  },
  {
    name: "refuses a FROM without a tag",
    dockerfile: `FROM debian\n${RUN}`,
    expect: [
      {
        rule: "A1.no-tag",
        severity: "error",
        line: 1,
        message: "debian names no tag, so it means whatever latest is on the day of the build",
      },
    ],
  },
  {
    name: "refuses latest",
    dockerfile: `FROM debian:latest\n${RUN}`,
    expect: [
      {
        rule: "A1.latest-tag",
        severity: "error",
        line: 1,
        message: 'debian:latest uses "latest" in its tag, which moves with every upstream release',
      },
    ],
  },
  {
    name: "refuses latest as a component (latest-fpm)",
    dockerfile: `FROM wordpress:latest-fpm\n${RUN}`,
    expect: [
      {
        rule: "A1.latest-tag",
        severity: "error",
        line: 1,
        message:
          'wordpress:latest-fpm uses "latest" in its tag, which moves with every upstream release',
      },
    ],
  },
  {
    name: "refuses latest as a component (8-latest)",
    dockerfile: `FROM php:8-latest\n${RUN}`,
    expect: [
      {
        rule: "A1.latest-tag",
        severity: "error",
        line: 1,
        message: 'php:8-latest uses "latest" in its tag, which moves with every upstream release',
      },
    ],
  },
  {
    name: "refuses an ARG without a default",
    dockerfile: `ARG BASE\nFROM \${BASE}\n${RUN}`,
    expect: [
      {
        rule: "A1.unresolved-arg",
        severity: "error",
        line: 2,
        message:
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the Dockerfile's own ${BASE}, verbatim
          "FROM ${BASE} uses $BASE without a default, so the upstream cannot be read from the Dockerfile",
      },
    ],
  },
  {
    name: "refuses scratch",
    dockerfile: "FROM scratch\nCOPY app /app\n",
    expect: [
      {
        rule: "A1.scratch",
        severity: "error",
        line: 1,
        message: "FROM scratch has no upstream to extend",
      },
    ],
  },
  {
    name: "refuses a malformed reference",
    dockerfile: `FROM Debian:12\n${RUN}`,
    expect: [
      {
        rule: "A1.invalid-reference",
        severity: "error",
        line: 1,
        message:
          'FROM Debian:12: invalid image reference "Debian:12": repository "Debian" must be lower-case',
      },
    ],
  },
  {
    name: "refuses an upstream-extension whose final stage starts from a build stage",
    dockerfile: `FROM wordpress:6.9.4-php8.3-fpm AS base\nRUN true\nFROM base\n${RUN}`,
    expect: [
      {
        rule: "A1.indirect-upstream",
        severity: "error",
        line: 3,
        message:
          'the final stage starts from build stage "base", not from the upstream image; an upstream-extension applies its delta directly on the upstream',
      },
    ],
  },
  {
    name: "judges every stage, build stages too",
    dockerfile: "FROM golang AS build\nRUN true\nFROM debian:12-slim\nCOPY --from=build /a /a\n",
    expect: [
      {
        rule: "A1.no-tag",
        severity: "error",
        line: 1,
        message: "golang names no tag, so it means whatever latest is on the day of the build",
      },
    ],
  },
];

describe("A1 upstream-first", () => {
  for (const { name, dockerfile, expect, publishers } of cases) {
    it(name, () => {
      const spec = dockerfile.includes("AS build") ? { class: "from-source" as const } : {};
      const found = judge(upstreamFirst, { dockerfile, spec }, [], {
        officialPublishers: publishers ?? [],
      });
      assert.deepEqual(found, expect);
    });
  }
});
