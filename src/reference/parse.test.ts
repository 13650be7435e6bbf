import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ExitCode } from "../errors.ts";
import {
  familiarName,
  formatReference,
  InvalidReferenceError,
  isOfficialImage,
  parseReference,
} from "./parse.ts";
import type { ImageReference } from "./types.ts";

const SHA = "a".repeat(64);
const SHA512 = "b".repeat(128);

const valid: { name: string; text: string; want: ImageReference; full: string; short: string }[] = [
  {
    name: "adds docker.io/library/ to an official image name",
    text: "debian:bookworm-slim",
    want: { registry: "docker.io", repository: "library/debian", tag: "bookworm-slim" },
    full: "docker.io/library/debian:bookworm-slim",
    short: "debian:bookworm-slim",
  },
  {
    name: "keeps a name without tag untagged",
    text: "debian",
    want: { registry: "docker.io", repository: "library/debian" },
    full: "docker.io/library/debian",
    short: "debian",
  },
  {
    name: "keeps a Docker Hub namespace",
    text: "bitnami/redis:7.2",
    want: { registry: "docker.io", repository: "bitnami/redis", tag: "7.2" },
    full: "docker.io/bitnami/redis:7.2",
    short: "bitnami/redis:7.2",
  },
  {
    name: "normalises index.docker.io to docker.io",
    text: "index.docker.io/library/rust:1.88-slim-bookworm",
    want: { registry: "docker.io", repository: "library/rust", tag: "1.88-slim-bookworm" },
    full: "docker.io/library/rust:1.88-slim-bookworm",
    short: "rust:1.88-slim-bookworm",
  },
  {
    name: "adds library/ to a docker.io name with one component",
    text: "docker.io/wordpress:6.9.4-php8.3-fpm",
    want: { registry: "docker.io", repository: "library/wordpress", tag: "6.9.4-php8.3-fpm" },
    full: "docker.io/library/wordpress:6.9.4-php8.3-fpm",
    short: "wordpress:6.9.4-php8.3-fpm",
  },
  {
    name: "reads a registry with a port as a registry, not a tag",
    text: "host:5000/app",
    want: { registry: "host:5000", repository: "app" },
    full: "host:5000/app",
    short: "host:5000/app",
  },
  {
    name: "reads a tag after a registry with a port",
    text: "127.0.0.1:5000/solera/aralez:0.9.0",
    want: { registry: "127.0.0.1:5000", repository: "solera/aralez", tag: "0.9.0" },
    full: "127.0.0.1:5000/solera/aralez:0.9.0",
    short: "127.0.0.1:5000/solera/aralez:0.9.0",
  },
  {
    name: "takes localhost as a registry",
    text: "localhost/app:1",
    want: { registry: "localhost", repository: "app", tag: "1" },
    full: "localhost/app:1",
    short: "localhost/app:1",
  },
  {
    name: "keeps tag and digest together",
    text: `debian:bookworm-slim@sha256:${SHA}`,
    want: {
      registry: "docker.io",
      repository: "library/debian",
      tag: "bookworm-slim",
      digest: `sha256:${SHA}`,
    },
    full: `docker.io/library/debian:bookworm-slim@sha256:${SHA}`,
    short: `debian:bookworm-slim@sha256:${SHA}`,
  },
  {
    name: "accepts a digest without a tag",
    text: `ghcr.io/example/app@sha512:${SHA512}`,
    want: { registry: "ghcr.io", repository: "example/app", digest: `sha512:${SHA512}` },
    full: `ghcr.io/example/app@sha512:${SHA512}`,
    short: `ghcr.io/example/app@sha512:${SHA512}`,
  },
  {
    name: "accepts separators inside path components",
    text: "quay.io/a_b/c__d/e--f.g:v1",
    want: { registry: "quay.io", repository: "a_b/c__d/e--f.g", tag: "v1" },
    full: "quay.io/a_b/c__d/e--f.g:v1",
    short: "quay.io/a_b/c__d/e--f.g:v1",
  },
  {
    name: "takes a bracketed IPv6 address with a port as a registry",
    text: "[::1]:5000/app",
    want: { registry: "[::1]:5000", repository: "app" },
    full: "[::1]:5000/app",
    short: "[::1]:5000/app",
  },
  {
    name: "reads a tag after a bracketed IPv6 registry without a port",
    text: "[fe80::1]/ns/app:1",
    want: { registry: "[fe80::1]", repository: "ns/app", tag: "1" },
    full: "[fe80::1]/ns/app:1",
    short: "[fe80::1]/ns/app:1",
  },
  {
    name: "takes an upper-case LOCALHOST as a registry, as Docker does",
    text: "LOCALHOST/app",
    want: { registry: "LOCALHOST", repository: "app" },
    full: "LOCALHOST/app",
    short: "LOCALHOST/app",
  },
  {
    name: "takes a first component with a capital as a registry host, as Docker does",
    text: "Registry/app:1",
    want: { registry: "Registry", repository: "app", tag: "1" },
    full: "Registry/app:1",
    short: "Registry/app:1",
  },
  {
    name: "keeps a docker.io repository below library/ as it is",
    text: "docker.io/library/debian/extra:1",
    want: { registry: "docker.io", repository: "library/debian/extra", tag: "1" },
    full: "docker.io/library/debian/extra:1",
    short: "library/debian/extra:1",
  },
];

const invalid: { name: string; text: string; message: string }[] = [
  { name: "refuses an empty reference", text: "", message: "the reference is empty" },
  { name: "refuses spaces", text: "debian bookworm", message: "a reference contains no spaces" },
  {
    name: "refuses an upper-case repository",
    text: "Debian:12",
    message: 'repository "Debian" must be lower-case',
  },
  {
    name: "refuses an upper-case path after a registry",
    text: "ghcr.io/Example/app",
    message: 'repository "Example/app" must be lower-case',
  },
  {
    name: "refuses a digest of the wrong length",
    text: "debian@sha256:abc",
    message: "sha256 digest must have 64 hex characters, got 3",
  },
  {
    name: "refuses upper-case hex in a digest",
    text: `debian@sha256:${"A".repeat(64)}`,
    message: `digest "sha256:${"A".repeat(64)}" must be lower-case hexadecimal after "sha256:"`,
  },
  {
    name: "refuses an unknown digest algorithm",
    text: `debian@md5:${SHA}`,
    message: 'digest algorithm "md5" is not supported (sha256 or sha512)',
  },
  {
    name: "refuses a digest without an algorithm",
    text: `debian@${SHA}`,
    message: `digest "${SHA}" must be <algorithm>:<hex>`,
  },
  {
    name: "refuses an empty tag",
    text: "debian:",
    message:
      'tag "" must start with a letter, digit or underscore and have at most 128 letters, digits, _ . or -',
  },
  {
    name: "refuses a tag starting with a dot",
    text: "debian:.x",
    message:
      'tag ".x" must start with a letter, digit or underscore and have at most 128 letters, digits, _ . or -',
  },
  {
    name: "refuses a missing repository after a registry",
    text: "host:5000/",
    message: "the repository name is missing",
  },
  {
    name: "refuses a non-numeric port",
    text: "host:abc/app:1",
    message:
      'registry "host:abc" must be a host name, an IPv4 address or a bracketed IPv6 address, with an optional numeric port',
  },
  {
    name: "refuses a double separator in a component",
    text: "foo..bar/app",
    message:
      'registry "foo..bar" must be a host name, an IPv4 address or a bracketed IPv6 address, with an optional numeric port',
  },
  {
    name: "refuses an IPv6 address without brackets' closing",
    text: "[::1:5000/app",
    message:
      'registry "[::1:5000" must be a host name, an IPv4 address or a bracketed IPv6 address, with an optional numeric port',
  },
  {
    name: "refuses brackets around something that is not IPv6",
    text: "[host]:5000/app",
    message:
      'registry "[host]:5000" must be a host name, an IPv4 address or a bracketed IPv6 address, with an optional numeric port',
  },
  {
    name: "refuses an upper-case repository below LOCALHOST",
    text: "LOCALHOST/App",
    message: 'repository "App" must be lower-case',
  },
  {
    name: "refuses a trailing separator in a path component",
    text: "example/app-",
    message:
      'repository component "app-" must be lower-case letters and digits, separated by one of . _ __ or dashes',
  },
];

describe("parseReference", () => {
  for (const row of valid) {
    it(row.name, () => {
      const ref = parseReference(row.text);
      assert.deepEqual(stripUndefined(ref), row.want);
      assert.equal(formatReference(ref), row.full);
      assert.equal(familiarName(ref), row.short);
    });
  }

  for (const row of invalid) {
    it(row.name, () => {
      assert.throws(
        () => parseReference(row.text),
        (error: unknown) => {
          assert.ok(error instanceof InvalidReferenceError);
          assert.equal(error.message, `invalid image reference "${row.text}": ${row.message}`);
          assert.equal(
            error.hint,
            "expected [registry[:port]/]repository[:tag][@sha256:<64 hex>], e.g. debian:bookworm-slim",
          );
          assert.equal(error.exitCode, ExitCode.usage);
          return true;
        },
      );
    });
  }
});

describe("isOfficialImage", () => {
  const table: { text: string; publishers: string[]; want: boolean }[] = [
    { text: "debian:bookworm-slim", publishers: [], want: true },
    { text: "docker.io/library/rust:1.88", publishers: [], want: true },
    { text: "bitnami/redis:7", publishers: [], want: false },
    { text: "bitnami/redis:7", publishers: ["bitnami"], want: true },
    { text: "bitnamilegacy/redis:7", publishers: ["bitnami"], want: false },
    { text: "ghcr.io/example/app:1", publishers: ["ghcr.io/example"], want: true },
    { text: "ghcr.io/examples/app:1", publishers: ["ghcr.io/example"], want: false },
    { text: "ghcr.io/library/app:1", publishers: [], want: false },
    { text: "quay.io/x/y:1", publishers: ["index.docker.io/x"], want: false },
    { text: "x/y:1", publishers: ["index.docker.io/x"], want: true },
    { text: "docker.io/library/debian/extra:1", publishers: [], want: false },
    { text: "library/debian:12", publishers: [], want: true },
    { text: "evil/debian:12", publishers: ["docker.io"], want: false },
    { text: "ghcr.io/evil/app:1", publishers: ["ghcr.io"], want: false },
    { text: "ghcr.io/evil/app:1", publishers: ["ghcr.io/"], want: false },
  ];
  for (const row of table) {
    it(`${row.want ? "accepts" : "refuses"} ${row.text} with publishers [${row.publishers}]`, () => {
      assert.equal(isOfficialImage(parseReference(row.text), row.publishers), row.want);
    });
  }
});

function stripUndefined(ref: ImageReference): ImageReference {
  return Object.fromEntries(
    Object.entries(ref).filter(([, value]) => value !== undefined),
  ) as unknown as ImageReference;
}
