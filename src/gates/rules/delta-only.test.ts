import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ImageSpec } from "../../catalog/schema.ts";
import { defaultSpec, type RuleCase, testRuleTable } from "../testing.ts";
import { deltaOnly, providedNames } from "./delta-only.ts";

const WORDPRESS_PROVIDES = [
  "gd (avif, webp, freetype)",
  "imagick",
  "bcmath",
  "exif",
  "intl",
  "mysqli",
  "zip",
  "opcache",
];
const wordpress = (adds = ["gmp"]): Partial<ImageSpec> => ({
  delta: { provides: WORDPRESS_PROVIDES, adds, refuses: [] },
});

const cases: RuleCase[] = [
  {
    name: "admits a RUN that installs what upstream lacks",
    dockerfile: "FROM wordpress:6.9.4-php8.3-fpm\nRUN docker-php-ext-install gmp\n",
    spec: wordpress(),
    expect: [],
  },
  {
    name: "admits a COPY-only delta",
    dockerfile: "FROM php:8.3-fpm\nCOPY media.ini /usr/local/etc/php/conf.d/\n",
    expect: [],
  },
  {
    name: "refuses a metadata-only final stage",
    dockerfile:
      'FROM debian:12-slim\nLABEL a=b\nENV X=1\nCMD ["bash"]\nEXPOSE 80\nUSER 1000\nWORKDIR /srv\n',
    expect: [
      {
        rule: "A3.zero-delta",
        severity: "error",
        line: 1,
        message:
          "the final stage sets only LABEL, ENV, CMD, EXPOSE, USER, WORKDIR and changes no file, a zero delta over its base",
      },
    ],
  },
  {
    name: "refuses a bare FROM",
    dockerfile: "FROM debian:12-slim\n",
    expect: [
      {
        rule: "A3.zero-delta",
        severity: "error",
        line: 1,
        message: "the final stage sets nothing and changes no file, a zero delta over its base",
      },
    ],
  },
  {
    name: "refuses a zero final stage even when a build stage works",
    dockerfile: "FROM debian:12-slim AS build\nRUN make\nFROM debian:12-slim\nENV A=1\n",
    expect: [
      {
        rule: "A3.zero-delta",
        severity: "error",
        line: 3,
        message: "the final stage sets only ENV and changes no file, a zero delta over its base",
      },
    ],
  },
  {
    name: "refuses an empty adds",
    dockerfile: "FROM debian:12-slim\nRUN true\n",
    spec: { delta: { provides: [], adds: [], refuses: [] } },
    expect: [
      {
        rule: "A3.empty-adds",
        severity: "error",
        line: 12,
        message: "delta.adds is empty, so example claims to add nothing to its upstream",
      },
    ],
  },
  {
    name: "refuses docker-php-ext-install of a provided extension",
    dockerfile: "FROM wordpress:6.9.4-php8.3-fpm\nRUN docker-php-ext-install -j4 gd gmp\n",
    spec: wordpress(),
    expect: [
      {
        rule: "A3.redundant",
        severity: "error",
        line: 2,
        message:
          'RUN installs gd again (php-ext), but the upstream already provides it: "gd (avif, webp, freetype)"',
      },
    ],
  },
  {
    name: "refuses pecl install of a provided extension, version stripped",
    dockerfile:
      "FROM wordpress:6.9.4-php8.3-fpm\nRUN pecl install imagick-3.7.0 && docker-php-ext-enable imagick\n",
    spec: wordpress(),
    expect: [
      {
        rule: "A3.redundant",
        severity: "error",
        line: 2,
        message:
          'RUN installs imagick again (pecl), but the upstream already provides it: "imagick"',
      },
    ],
  },
];

describe("A3 delta-only", () => {
  testRuleTable(deltaOnly, cases);

  it("reads the leading name of each provides entry", () => {
    const names = providedNames([
      "gd+avif+webp+freetype",
      "libssl3 (runtime)",
      "opcache.",
      ...defaultSpec().delta.provides,
    ]);
    assert.deepEqual([...names.keys()], ["gd", "libssl3", "opcache"]);
  });
});
