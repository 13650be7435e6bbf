import { UserError } from "../errors.ts";
import type { ImageReference } from "./types.ts";

// The grammar follows the distribution project's reference package (the one Docker uses):
// `[domain/]path[:tag][@digest]`, where the first path component is a domain only when it
// contains a dot or a colon, is exactly `localhost`, or has an upper-case letter (its
// splitDockerDomain: repository components are lower-case, so a capital can only belong to a
// host name). That rule is what keeps `host:5000/app` from being read as repository `host` with
// tag `5000/app`, and makes `LOCALHOST/app` and `Registry/app` registries, as Docker reads them.
// A domain is a host name (letters of either case), an IPv4 address, or an IPv6 address in
// brackets (`[::1]:5000`), each with an optional port.

/** The form every reference error shows, so the user sees what is accepted. */
const ACCEPTED_FORM =
  "expected [registry[:port]/]repository[:tag][@sha256:<64 hex>], e.g. debian:bookworm-slim";

const DOCKER_HUB = "docker.io";
const DOCKER_HUB_ALIASES = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);
const OFFICIAL_NAMESPACE = "library";

const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const PORT = /^[0-9]+$/;
const BRACKETED_IPV6 = /^\[[0-9A-Fa-f:]+\]$/;

/** Digest algorithms registered by the OCI image spec, with the length of their hex encoding. */
const DIGEST_LENGTHS: Record<string, number> = { sha256: 64, sha512: 128 };

/** A reference that does not follow Docker's grammar; the message says which part is wrong. */
export class InvalidReferenceError extends UserError {
  /** The text that failed to parse. */
  readonly reference: string;

  constructor(reference: string, problem: string) {
    super(`invalid image reference "${reference}": ${problem}`, { hint: ACCEPTED_FORM });
    this.name = "InvalidReferenceError";
    this.reference = reference;
  }
}

/**
 * Parses an image reference the way Docker does and normalises it: Docker Hub is `docker.io`
 * (also for `index.docker.io`), and a one-component name on Docker Hub gets `library/`.
 * Throws InvalidReferenceError naming the part that is wrong.
 */
export function parseReference(text: string): ImageReference {
  if (text.trim() === "") throw new InvalidReferenceError(text, "the reference is empty");
  if (/\s/.test(text)) throw new InvalidReferenceError(text, "a reference contains no spaces");

  const at = text.indexOf("@");
  const digest = at === -1 ? undefined : text.slice(at + 1);
  const beforeDigest = at === -1 ? text : text.slice(0, at);
  if (digest !== undefined) checkDigest(text, digest);

  const { name, tag } = splitTag(beforeDigest);
  if (tag !== undefined && !TAG.test(tag)) {
    throw new InvalidReferenceError(
      text,
      `tag "${tag}" must start with a letter, digit or underscore and have at most 128 letters, digits, _ . or -`,
    );
  }

  const { registry, repository } = splitName(text, name);
  return { registry, repository, tag, digest };
}

/** The full, normalised form: `docker.io/library/debian:bookworm-slim@sha256:…`. */
export function formatReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${suffix(ref)}`;
}

/** The short form a user writes: `debian:bookworm-slim`, `bitnami/redis:7`, `ghcr.io/o/app:1`. */
export function familiarName(ref: ImageReference): string {
  if (ref.registry !== DOCKER_HUB) return formatReference(ref);
  const prefix = `${OFFICIAL_NAMESPACE}/`;
  // Only `library/<one component>` drops its prefix, else the short form would read back as
  // another repository (`library/a/b` is not `a/b`).
  const rest = ref.repository.slice(prefix.length);
  const repository =
    ref.repository.startsWith(prefix) && !rest.includes("/") ? rest : ref.repository;
  return `${repository}${suffix(ref)}`;
}

/**
 * True when the reference is a Docker Official Image (exactly `docker.io/library/<name>`, one
 * component after `library/`) or comes from one of the given publishers. A publisher is a
 * Docker Hub namespace (`bitnami`) or a registry with a namespace (`ghcr.io/example`); it
 * matches whole path components only, and a bare registry host matches nothing.
 */
export function isOfficialImage(ref: ImageReference, officialPublishers: string[]): boolean {
  const official = ref.repository.split("/");
  if (ref.registry === DOCKER_HUB && official.length === 2 && official[0] === OFFICIAL_NAMESPACE) {
    return true;
  }
  const full = `${ref.registry}/${ref.repository}`;
  return officialPublishers.some((publisher) => {
    const first = publisher.split("/")[0] ?? "";
    if (looksLikeDomain(first) && !publisher.replace(/\/+$/, "").includes("/")) return false;
    const qualified = looksLikeDomain(first) ? publisher : `${DOCKER_HUB}/${publisher}`;
    const normalised = qualified.replace(/^(?:index|registry-1)\.docker\.io\//, `${DOCKER_HUB}/`);
    return full.startsWith(`${normalised.replace(/\/+$/, "")}/`);
  });
}

function suffix(ref: ImageReference): string {
  return `${ref.tag === undefined ? "" : `:${ref.tag}`}${ref.digest === undefined ? "" : `@${ref.digest}`}`;
}

/** A tag is what follows the last colon, unless a slash comes after it (then it was a port). */
function splitTag(text: string): { name: string; tag?: string } {
  const colon = text.lastIndexOf(":");
  if (colon === -1 || text.indexOf("/", colon) !== -1) return { name: text };
  return { name: text.slice(0, colon), tag: text.slice(colon + 1) };
}

function splitName(text: string, name: string): { registry: string; repository: string } {
  if (name === "") throw new InvalidReferenceError(text, "the repository name is missing");

  const slash = name.indexOf("/");
  const first = slash === -1 ? "" : name.slice(0, slash);
  const hasDomain = slash !== -1 && looksLikeDomain(first);
  const registry = hasDomain ? first : DOCKER_HUB;
  const path = hasDomain ? name.slice(slash + 1) : name;
  if (hasDomain) checkDomain(text, registry);
  checkPath(text, path);

  const normalisedRegistry = DOCKER_HUB_ALIASES.has(registry) ? DOCKER_HUB : registry;
  const repository =
    normalisedRegistry === DOCKER_HUB && !path.includes("/")
      ? `${OFFICIAL_NAMESPACE}/${path}`
      : path;
  return { registry: normalisedRegistry, repository };
}

/** Docker's test for a registry host as the first component of a name (splitDockerDomain). */
function looksLikeDomain(component: string): boolean {
  return (
    component.includes(".") ||
    component.includes(":") ||
    component === "localhost" ||
    component !== component.toLowerCase()
  );
}

function checkDomain(text: string, domain: string): void {
  // The port follows the last colon, after the closing bracket of an IPv6 address.
  const close = domain.startsWith("[") ? domain.indexOf("]") + 1 : 0;
  const colon = domain.indexOf(":", close);
  const host = colon === -1 ? domain : domain.slice(0, colon);
  const port = colon === -1 ? undefined : domain.slice(colon + 1);
  const hostOk = BRACKETED_IPV6.test(host)
    ? host.slice(1, -1).includes(":")
    : host.split(".").every((part) => DOMAIN_COMPONENT.test(part));
  const portOk = port === undefined || (PORT.test(port) && Number(port) <= 65535);
  if (!hostOk || !portOk) {
    throw new InvalidReferenceError(
      text,
      `registry "${domain}" must be a host name, an IPv4 address or a bracketed IPv6 address, with an optional numeric port`,
    );
  }
}

function checkPath(text: string, path: string): void {
  if (path === "") throw new InvalidReferenceError(text, "the repository name is missing");
  if (path !== path.toLowerCase()) {
    throw new InvalidReferenceError(text, `repository "${path}" must be lower-case`);
  }
  const bad = path.split("/").find((component) => !PATH_COMPONENT.test(component));
  if (bad !== undefined) {
    throw new InvalidReferenceError(
      text,
      `repository component "${bad}" must be lower-case letters and digits, separated by one of . _ __ or dashes`,
    );
  }
  if (path.length > 255) {
    throw new InvalidReferenceError(text, "the repository name is longer than 255 characters");
  }
}

function checkDigest(text: string, digest: string): void {
  const colon = digest.indexOf(":");
  const algorithm = colon === -1 ? "" : digest.slice(0, colon);
  const encoded = colon === -1 ? "" : digest.slice(colon + 1);
  if (colon === -1 || algorithm === "" || encoded === "") {
    throw new InvalidReferenceError(text, `digest "${digest}" must be <algorithm>:<hex>`);
  }
  const length = DIGEST_LENGTHS[algorithm];
  if (length === undefined) {
    throw new InvalidReferenceError(
      text,
      `digest algorithm "${algorithm}" is not supported (sha256 or sha512)`,
    );
  }
  if (!/^[0-9a-f]*$/.test(encoded)) {
    throw new InvalidReferenceError(
      text,
      `digest "${digest}" must be lower-case hexadecimal after "${algorithm}:"`,
    );
  }
  if (encoded.length !== length) {
    throw new InvalidReferenceError(
      text,
      `${algorithm} digest must have ${length} hex characters, got ${encoded.length}`,
    );
  }
}
