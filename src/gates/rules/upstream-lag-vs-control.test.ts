import { describe } from "node:test";
import { type RuleCase, testRuleTable } from "../testing.ts";
import { upstreamLagVsControl } from "./upstream-lag-vs-control.ts";

const DIGEST = `sha256:${"b".repeat(64)}`;
const FLOATS = (image: string) =>
  `${image} floats: its tag names no version, so each build may get a different upstream`;

const cases: RuleCase[] = [
  {
    name: "admits a versioned tag",
    dockerfile: "FROM rust:1.88-slim-bookworm AS b\nFROM debian:12-slim\nRUN true\n",
    expect: [],
  },
  {
    name: "admits a dated tag",
    dockerfile: "FROM debian:bookworm-20240722-slim\nRUN true\n",
    expect: [],
  },
  {
    name: "admits a floating tag pinned by digest",
    dockerfile: `FROM debian:bookworm-slim@${DIGEST}\nRUN true\n`,
    expect: [],
  },
  {
    name: "leaves latest and missing tags to A1",
    dockerfile: "FROM debian:latest AS a\nFROM debian\nRUN true\n",
    expect: [],
  },
  {
    name: "warns about a codename tag",
    dockerfile: "FROM debian:bookworm-slim\nRUN true\n",
    expect: [
      {
        rule: "T1.floating-tag",
        severity: "warning",
        line: 1,
        message: FLOATS("debian:bookworm-slim"),
      },
    ],
  },
  {
    name: "warns about stable, lts and a variant-only version",
    dockerfile:
      "FROM nginx:stable AS a\nFROM node:lts-alpine3.20 AS b\nFROM wordpress:php8.3-fpm\nRUN true\n",
    expect: [
      { rule: "T1.floating-tag", severity: "warning", line: 1, message: FLOATS("nginx:stable") },
      {
        rule: "T1.floating-tag",
        severity: "warning",
        line: 2,
        message: FLOATS("node:lts-alpine3.20"),
      },
      {
        rule: "T1.floating-tag",
        severity: "warning",
        line: 3,
        message: FLOATS("wordpress:php8.3-fpm"),
      },
    ],
  },
  {
    name: "notes a digest without a tag",
    dockerfile: `FROM debian@${DIGEST}\nRUN true\n`,
    expect: [
      {
        rule: "T1.digest-only",
        severity: "info",
        line: 1,
        message: `debian@${DIGEST} is pinned by digest alone, so nobody can tell which release it is`,
      },
    ],
  },
  {
    name: "warns about a source that follows a branch",
    dockerfile: "FROM debian:12-slim\nRUN true\n",
    spec: { source: { repository: "https://example.org/app", tag: "main" } },
    expect: [
      {
        rule: "T1.source-floating",
        severity: "warning",
        line: 28,
        message: 'source tag "main" names no version, so the build follows a moving branch',
      },
    ],
  },
  {
    name: "admits a release source tag",
    dockerfile: "FROM debian:12-slim\nRUN true\n",
    spec: { source: { repository: "https://example.org/app", tag: "v0.9.0" } },
    expect: [],
  },
  {
    name: "warns about an image without smoke tests",
    dockerfile: "FROM debian:12-slim\nRUN true\n",
    spec: { smoke: [] },
    expect: [
      {
        rule: "T1.no-smoke-test",
        severity: "warning",
        line: 22,
        message: "example has no smoke test, so a bumped upstream is not checked against the delta",
      },
    ],
  },
];

describe("T1 upstream-lag-vs-control", () => {
  testRuleTable(upstreamLagVsControl, cases);
});
