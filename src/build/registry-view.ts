import type { ImageReference } from "../reference/types.ts";
import type { Manifest, RegistryClient } from "../registry/client.ts";
import { isIndexMediaType } from "../registry/media-types.ts";
import type { Platform } from "../registry/schema.ts";
import { RegistryError } from "../registry/transport/errors.ts";

/** The RegistryClient operations push uses (a narrower type keeps tests and engines honest). */
export type PushRegistry = Pick<
  RegistryClient,
  "ping" | "getManifest" | "resolveDigest" | "putManifest" | "putIndex" | "getBlob" | "requests"
>;

/** A manifest's platform entries: `linux/arm64` → its manifest, read from an index or alone. */
export interface PlatformManifest {
  platform: string;
  digest: string;
  mediaType: string;
  /** Digest of the image config (the image ID Docker shows). */
  config: string;
}

interface IndexJson {
  manifests?: { digest: string; mediaType: string; platform?: Platform }[];
}
interface ManifestJson {
  config?: { digest: string };
}

/** The manifest a tag names, or undefined when the registry has no such tag (404). */
export async function findManifest(
  registry: PushRegistry,
  ref: ImageReference,
): Promise<Manifest | undefined> {
  try {
    return await registry.getManifest(ref);
  } catch (error) {
    if (error instanceof RegistryError && error.status === 404) return undefined;
    throw error;
  }
}

/**
 * Each platform's image manifest under a tag's manifest: the entries of an index (attestation
 * entries, platform `unknown/unknown`, left out), or the manifest itself for `fallback`.
 */
export async function platformManifests(
  registry: PushRegistry,
  ref: ImageReference,
  manifest: Manifest,
  fallback: string,
): Promise<PlatformManifest[]> {
  if (!isIndexMediaType(manifest.mediaType)) {
    const config = (manifest.json as ManifestJson).config?.digest ?? "";
    return [{ platform: fallback, digest: manifest.digest, mediaType: manifest.mediaType, config }];
  }

  const entries = ((manifest.json as IndexJson).manifests ?? []).filter(
    (entry) => entry.platform && entry.platform.os !== "unknown",
  );
  const found: PlatformManifest[] = [];
  for (const entry of entries) {
    const child = await registry.getManifest({ ...ref, tag: undefined, digest: entry.digest });
    const config = (child.json as ManifestJson).config?.digest ?? "";
    const platform = platformName(entry.platform as Platform);
    found.push({ platform, digest: entry.digest, mediaType: entry.mediaType, config });
  }
  return found;
}

/** `linux/arm/v7` from an index entry's platform object. */
export function platformName(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join("/");
}

/** The index entry platform object for `linux/arm/v7`. */
export function platformObject(platform: string): Platform {
  const [os = "linux", architecture = "", variant] = platform.split("/");
  return variant ? { os, architecture, variant } : { os, architecture };
}

/** The labels of an image's config, read from the registry. */
export async function readConfigLabels(
  registry: PushRegistry,
  ref: ImageReference,
  configDigest: string,
): Promise<Record<string, string>> {
  const blob = await registry.getBlob(ref.registry, ref.repository, configDigest);
  const text = await new Response(blob.stream).text();
  const config = JSON.parse(text) as { config?: { Labels?: Record<string, string> | null } };
  return config.config?.Labels ?? {};
}
