import { describe } from "node:test";
import type { ImageSpec } from "../../catalog/schema.ts";
import { type RuleCase, testRuleTable } from "../testing.ts";
import { classConsistent } from "./class-consistent.ts";
import { platformsConsistent } from "./platforms-consistent.ts";

const SOURCE = { repository: "https://github.com/sadoyan/aralez", tag: "v0.9.0" };
const FROM_SOURCE: Partial<ImageSpec> = {
  class: "from-source",
  platforms: ["linux/arm64"],
  description: "Aralez compiled for linux/arm64, which upstream does not publish.",
  source: SOURCE,
};
const ARALEZ = `FROM rust:1.88-slim-bookworm AS build
ARG ARALEZ_TAG=v0.9.0
RUN git clone --depth 1 --branch "$ARALEZ_TAG" https://github.com/sadoyan/aralez.git /src && cargo build --release
FROM debian:bookworm-slim
COPY --from=build /src/target/release/aralez /usr/local/bin/aralez
`;

const platformCases: RuleCase[] = [
  {
    name: "admits a from-source arm64-only build that says so",
    dockerfile: ARALEZ,
    spec: FROM_SOURCE,
    expect: [],
  },
  {
    name: "admits --platform=$BUILDPLATFORM on a build stage",
    dockerfile: ARALEZ.replace("FROM rust", "FROM --platform=$BUILDPLATFORM rust"),
    spec: FROM_SOURCE,
    expect: [],
  },
  {
    name: "admits an arch switch naming both architectures",
    dockerfile:
      'FROM debian:12-slim\nRUN case "$(dpkg --print-architecture)" in amd64) a=x86_64;; arm64) a=aarch64;; esac\n',
    expect: [],
  },
  {
    name: "refuses a final stage pinned to amd64 when arm64 is declared",
    dockerfile: "FROM --platform=linux/amd64 debian:12-slim\nRUN true\n",
    expect: [
      {
        rule: "C1.platform-pinned",
        severity: "error",
        line: 1,
        message:
          "the final stage is pinned to linux/amd64, so it cannot build linux/arm64 as image.yaml declares",
      },
    ],
  },
  {
    name: "warns about a build stage pinned to an undeclared platform",
    dockerfile: ARALEZ.replace("FROM rust", "FROM --platform=linux/amd64 rust"),
    spec: FROM_SOURCE,
    expect: [
      {
        rule: "C1.build-platform-pinned",
        severity: "warning",
        line: 1,
        message:
          "build stage pinned to linux/amd64, a platform image.yaml does not declare (linux/arm64); it builds there whatever the target",
      },
    ],
  },
  {
    name: "refuses a one-platform from-source image that does not say so",
    dockerfile: ARALEZ,
    spec: { ...FROM_SOURCE, description: "Aralez, a reverse proxy." },
    expect: [
      {
        rule: "C1.single-platform-unexplained",
        severity: "error",
        line: 8,
        message:
          "example builds for linux/arm64 only, but neither its description nor delta.adds says so",
      },
    ],
  },
  {
    name: "warns about a download for an undeclared architecture",
    dockerfile:
      "FROM debian:12-slim\nRUN curl -o /usr/local/bin/tool https://example.org/tool-linux-amd64\n",
    spec: { platforms: ["linux/arm64"] },
    expect: [
      {
        rule: "C1.hardcoded-arch",
        severity: "warning",
        line: 2,
        message: "RUN names the linux/amd64 architecture, which image.yaml does not declare",
      },
    ],
  },
];

const classCases: RuleCase[] = [
  {
    name: "admits a from-source image with build and runtime stages",
    dockerfile: ARALEZ,
    spec: FROM_SOURCE,
    expect: [],
  },
  {
    name: "admits an upstream-extension without source",
    dockerfile: "FROM debian:12-slim\nRUN true\n",
    expect: [],
  },
  {
    name: "refuses an upstream-extension with a source",
    dockerfile: "FROM debian:12-slim\nRUN true\n",
    spec: { source: SOURCE },
    expect: [
      {
        rule: "C2.source-unexpected",
        severity: "error",
        line: 27,
        message: "example is an upstream-extension but names a source to build",
      },
    ],
  },
  {
    name: "refuses a from-source image without a source",
    dockerfile: ARALEZ,
    spec: { ...FROM_SOURCE, source: undefined },
    expect: [
      {
        rule: "C2.source-missing",
        severity: "error",
        line: 2,
        message: "example is from-source but image.yaml names no source",
      },
    ],
  },
  {
    name: "refuses a single-stage from-source image",
    dockerfile:
      "FROM rust:1.88-slim-bookworm\nRUN git clone https://github.com/sadoyan/aralez v0.9.0\n",
    spec: FROM_SOURCE,
    expect: [
      {
        rule: "C2.no-build-stage",
        severity: "error",
        line: 1,
        message:
          "example is from-source but its Dockerfile has a single stage, so the build tools stay in the runtime",
      },
    ],
  },
  {
    name: "refuses a final stage that copies nothing from the build",
    dockerfile: ARALEZ.replace("COPY --from=build", "COPY"),
    spec: FROM_SOURCE,
    expect: [
      {
        rule: "C2.build-output-unused",
        severity: "error",
        line: 4,
        message:
          "the final stage copies nothing from a build stage, so the built source never reaches the runtime",
      },
    ],
  },
  {
    name: "refuses a final stage on the build stage's image",
    dockerfile: ARALEZ.replace("FROM debian:bookworm-slim", "FROM rust:1.88-slim-bookworm"),
    spec: FROM_SOURCE,
    expect: [
      {
        rule: "C2.runs-on-build-image",
        severity: "error",
        line: 4,
        message:
          'the final stage runs on rust:1.88-slim-bookworm, the same image build stage "build" compiles in',
      },
    ],
  },
  {
    name: "refuses a Dockerfile that builds another tag than image.yaml names",
    dockerfile: ARALEZ.replace("ARALEZ_TAG=v0.9.0", "ARALEZ_TAG=v0.8.0"),
    spec: FROM_SOURCE,
    expect: [
      {
        rule: "C2.source-not-built",
        severity: "error",
        line: 26,
        message: "image.yaml names source tag v0.9.0, but the Dockerfile never fetches it",
      },
    ],
  },
];

describe("C1 platforms-consistent", () => {
  testRuleTable(platformsConsistent, platformCases);
});

describe("C2 class-consistent", () => {
  testRuleTable(classConsistent, classCases);
});
