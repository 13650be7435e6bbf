import { ExitCode, UserError } from "../errors.ts";
import { parseReference } from "../reference/parse.ts";
import type { ImageReference } from "../reference/types.ts";
import type { Manifest } from "../registry/client.ts";
import type { Engine, EngineRunOptions, PushedContent } from "./engines/engine.ts";
import { LABEL_NAMESPACE } from "./plan.ts";
import {
  findManifest,
  type PlatformManifest,
  type PushRegistry,
  platformManifests,
  platformObject,
  readConfigLabels,
} from "./registry-view.ts";
import type { LockEntry, PlanTarget } from "./types.ts";

/** The registry already holds the tag at another digest; exit code 5. */
export class TagConflictError extends UserError {
  constructor(tag: string, existing: string, name: string) {
    super(
      `${tag} is already pushed as ${existing}, and the image built now is different: pinned tags are immutable, so the tag is not moved`,
      {
        exitCode: ExitCode.conflict,
        hint: `bump the version in the catalog's images/${name}/image.yaml (e.g. 0.1.0 → 0.1.1) and build again; --force moves the tag anyway`,
      },
    );
    this.name = "TagConflictError";
  }
}

/** What publishing one target did. */
export interface Published {
  /** `pushed`: the tag now names the new image; `unchanged`: it already named the same image. */
  status: "pushed" | "unchanged";
  entry: Omit<LockEntry, "pushedAt" | "registry">;
}

/**
 * Pushes a built target and sets its version tag, never moving a tag that names another image
 * unless `force`. With an engine that keeps images locally the check comes before anything is
 * pushed (config digests compared); otherwise the image goes out by digest and the tag is set
 * only after the comparison. Everything recorded is read back from the registry.
 */
export async function publishTarget(
  target: PlanTarget,
  engine: Engine,
  registry: PushRegistry,
  options: EngineRunOptions & { force?: boolean } = {},
): Promise<Published> {
  const tag = target.tags[0] as string;
  const ref = parseReference(tag);
  // The registry first, so credentials without access fail as such (exit 4); then an engine
  // that keeps images locally refuses one never built here or built from another revision.
  const existing = await findManifest(registry, ref);
  const local = await engine.localConfigDigests(target);

  if (existing) {
    if (local) {
      const remote = await platformManifests(
        registry,
        ref,
        existing,
        target.platforms[0] as string,
      );
      if (sameImages(local, remote))
        return { status: "unchanged", entry: await describe(registry, ref, existing, target) };
      if (!options.force) throw new TagConflictError(tag, existing.digest, target.name);
    }
  }

  const pushed = await engine.push(target, options);
  const manifest = await tagContent(
    registry,
    ref,
    target,
    pushed,
    existing,
    options.force ?? false,
  );
  if (existing && manifest.digest === existing.digest) {
    return { status: "unchanged", entry: await describe(registry, ref, existing, target) };
  }
  const readBack = await registry.getManifest(ref);
  return { status: "pushed", entry: await describe(registry, ref, readBack, target) };
}

/** Puts the version tag on what the engine pushed; returns the manifest the tag should name. */
async function tagContent(
  registry: PushRegistry,
  ref: ImageReference,
  target: PlanTarget,
  pushed: PushedContent,
  existing: Manifest | undefined,
  force: boolean,
): Promise<{ digest: string }> {
  if (pushed.kind === "digest") {
    const manifest = await registry.getManifest({ ...ref, tag: undefined, digest: pushed.digest });
    if (existing && existing.digest !== manifest.digest && !force) {
      throw new TagConflictError(target.tags[0] as string, existing.digest, target.name);
    }
    if (existing?.digest !== manifest.digest)
      await registry.putManifest(ref, manifest.bytes, manifest.mediaType);
    return manifest;
  }

  const only = pushed.refs[0];
  if (pushed.refs.length === 1 && only?.reference === target.tags[0])
    return registry.getManifest(ref);

  const entries = [];
  for (const item of pushed.refs) {
    const manifest = await registry.getManifest(parseReference(item.reference));
    const size = manifest.bytes.byteLength;
    entries.push({
      digest: manifest.digest,
      mediaType: manifest.mediaType,
      size,
      platform: platformObject(item.platform),
    });
  }
  return registry.putIndex(ref, entries);
}

function sameImages(local: Map<string, string>, remote: PlatformManifest[]): boolean {
  if (local.size !== remote.length) return false;
  return remote.every((entry) => local.get(entry.platform) === entry.config);
}

async function describe(
  registry: PushRegistry,
  ref: ImageReference,
  manifest: Manifest,
  target: PlanTarget,
): Promise<Published["entry"]> {
  const platforms = await platformManifests(registry, ref, manifest, target.platforms[0] as string);
  const first = platforms[0];
  const labels = first ? await readConfigLabels(registry, ref, first.config) : {};
  return {
    tag: target.tags[0] as string,
    digest: manifest.digest,
    mediaType: manifest.mediaType,
    platforms: Object.fromEntries(platforms.map((entry) => [entry.platform, entry.digest])),
    upstreams: parseUpstreamsLabel(labels[`${LABEL_NAMESPACE}.upstreams`]),
  };
}

/** Reads the `.upstreams` label (`ref@digest,ref@digest`) back into a map. */
export function parseUpstreamsLabel(value: string | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const item of (value ?? "").split(",")) {
    const at = item.lastIndexOf("@");
    if (at > 0) result[item.slice(0, at)] = item.slice(at + 1);
  }
  return result;
}
