import type { Catalog } from "../catalog/types.ts";
import type { Stage } from "../dockerfile/types.ts";
import { parseReference } from "../reference/parse.ts";
import type { ImageReference } from "../reference/types.ts";

/** What a stage's FROM names, after build arguments were substituted from their defaults. */
export type StageBase =
  | { kind: "stage"; name: string }
  | { kind: "scratch" }
  | { kind: "unresolved"; args: string[] }
  | { kind: "invalid"; text: string; problem: string }
  | { kind: "image"; text: string; ref: ImageReference };

/** Reads the base of a stage: an earlier stage, scratch, an image, or why it is none of them. */
export function stageBase(stage: Stage): StageBase {
  const from = stage.from;
  if (from.stage !== undefined) return { kind: "stage", name: from.stage };
  if (from.resolved === undefined || from.unresolvedArgs.length > 0) {
    return { kind: "unresolved", args: from.unresolvedArgs };
  }
  if (from.resolved.toLowerCase() === "scratch") return { kind: "scratch" };
  return readImage(from.resolved);
}

/** Parses an image reference, turning a parse error into a value. */
export function readImage(text: string): StageBase {
  try {
    return { kind: "image", text, ref: parseReference(text) };
  } catch (error) {
    return {
      kind: "invalid",
      text,
      problem: error instanceof Error ? error.message : String(error),
    };
  }
}

/** How a reference pins its image. */
export type TagKind = "missing" | "digest-only" | "latest" | "floating" | "versioned";

/**
 * Classifies the tag of a reference. `latest` as any dot, dash or underscore separated component
 * (`latest`, `latest-fpm`, `8-latest`) is `latest`. A tag floats when none of its dash or
 * underscore separated components starts with a version number (`bookworm-slim`, `stable`,
 * `lts-alpine3.20`, `php8.3-fpm`: the last two name a variant's version, not the image's);
 * `1.88-slim-bookworm`, `24-bookworm-slim`, `v2.1` and dated tags (`bookworm-20240722-slim`) are
 * versioned. A version that names only a major release still moves within it: that is the
 * upstream's patch stream, which T1 accepts.
 */
export function classifyTag(ref: ImageReference): TagKind {
  if (ref.tag === undefined) return ref.digest === undefined ? "missing" : "digest-only";
  const tag = ref.tag.toLowerCase();
  if (tag.split(/[-_.]/).includes("latest")) return "latest";
  return hasVersion(tag) ? "versioned" : "floating";
}

/** Whether a tag or source ref carries a version (see classifyTag) or is a commit hash. */
export function hasVersion(tag: string): boolean {
  if (/^[0-9a-f]{7,40}$/.test(tag)) return true;
  return tag.split(/[-_/]/).some((part) => /^v?\d/.test(part));
}

/**
 * The catalog image a reference names, if any: `<catalog registry>/<name>` with any tag, or the
 * bare `<name>` as a Docker Hub one-component name would be written.
 */
export function catalogImageNamed(ref: ImageReference, catalog: Catalog): string | undefined {
  const full = `${ref.registry}/${ref.repository}`;
  const names = imageNames(catalog);
  const prefix = `${catalog.registry.replace(/\/+$/, "")}/`;
  if (full.startsWith(prefix) && names.has(full.slice(prefix.length))) {
    return full.slice(prefix.length);
  }
  const bare = ref.registry === "docker.io" ? ref.repository.replace(/^library\//, "") : undefined;
  return bare !== undefined && names.has(bare) ? bare : undefined;
}

/** The catalog's image names, computed once per catalog: every stage of every image asks. */
const namesByCatalog = new WeakMap<Catalog, Set<string>>();

function imageNames(catalog: Catalog): Set<string> {
  let names = namesByCatalog.get(catalog);
  if (names === undefined) {
    names = new Set(catalog.images.map((image) => image.name));
    namesByCatalog.set(catalog, names);
  }
  return names;
}
