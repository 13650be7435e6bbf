// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile text uses ${VAR} on purpose.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseDockerfile } from "../dockerfile/parse.ts";
import { describeBases } from "./bases.ts";
import type { CatalogImage } from "./types.ts";

function imageWith(dockerfile: string): CatalogImage {
  return { dockerfile: parseDockerfile(dockerfile, "Dockerfile") } as CatalogImage;
}

const rows: { name: string; dockerfile: string; text: string; build: string[] }[] = [
  {
    name: "names the single upstream of an upstream extension",
    dockerfile: "FROM wordpress:6.9.4-php8.3-fpm\nRUN x",
    text: "wordpress:6.9.4-php8.3-fpm",
    build: [],
  },
  {
    name: "names the build base, then the runtime base",
    dockerfile:
      "FROM rust:1.88-slim-bookworm AS build\nRUN x\nFROM debian:bookworm-slim\nCOPY --from=build /a /a",
    text: "rust:1.88-slim-bookworm → debian:bookworm-slim",
    build: ["rust:1.88-slim-bookworm"],
  },
  {
    name: "follows FROM <stage> back to its image and writes references short",
    dockerfile:
      "ARG TAG=bookworm-slim\nFROM docker.io/library/debian:${TAG} AS base\nFROM golang:1.24 AS build\nFROM base",
    text: "golang:1.24 → debian:bookworm-slim",
    build: ["golang:1.24"],
  },
  {
    name: "shows a FROM with an unresolved argument as written",
    dockerfile: "ARG BASE\nFROM ${BASE}",
    text: "${BASE}",
    build: [],
  },
];

describe("describeBases", () => {
  for (const row of rows) {
    it(row.name, () => {
      const bases = describeBases(imageWith(row.dockerfile));
      assert.equal(bases.text, row.text);
      assert.deepEqual(bases.build, row.build);
    });
  }
});
