import { platformName } from "../build/registry-view.ts";
import { formatReference } from "../reference/parse.ts";
import type { ImageReference } from "../reference/types.ts";
import type { RegistryClient } from "../registry/client.ts";
import { isIndexMediaType } from "../registry/media-types.ts";
import { ImageIndexSchema, type ImageManifest, ImageManifestSchema } from "../registry/schema.ts";

/** The registry operations the audit reads with; RegistryClient has them. */
export type AuditRegistry = Pick<RegistryClient, "getManifest" | "getBlob">;

/** The parts of an image config the audit reads (OCI image spec, config). */
export interface ImageConfig {
  config?: { Labels?: Record<string, string> | null };
  history?: { created_by?: string; empty_layer?: boolean; comment?: string }[];
  rootfs?: { diff_ids?: string[] };
}

/** One platform's image, read from a registry: where it lives, its manifest and its config. */
export interface PlatformImage {
  /** The repository the blobs are read from (the reference's registry and repository). */
  ref: ImageReference;
  platform: string;
  /** The platform manifest's digest. */
  digest: string;
  manifest: ImageManifest;
  config: ImageConfig;
}

/** The manifests a tag or digest names, one per platform; attestation entries are left out. */
export async function readPlatformManifests(
  registry: AuditRegistry,
  ref: ImageReference,
): Promise<{
  digest: string;
  platforms: Map<string, { digest: string; manifest: ImageManifest }>;
}> {
  const top = await registry.getManifest(ref);
  const platforms = new Map<string, { digest: string; manifest: ImageManifest }>();

  if (!isIndexMediaType(top.mediaType)) {
    const manifest = ImageManifestSchema.parse(top.json);
    const config = await readConfig(registry, ref, manifest.config.digest);
    platforms.set(configPlatform(config), { digest: top.digest, manifest });
    return { digest: top.digest, platforms };
  }

  const index = ImageIndexSchema.parse(top.json);
  for (const entry of index.manifests) {
    if (!entry.platform || entry.platform.os === "unknown") continue;
    const child = await registry.getManifest({ ...ref, tag: undefined, digest: entry.digest });
    const manifest = ImageManifestSchema.parse(child.json);
    platforms.set(platformName(entry.platform), { digest: entry.digest, manifest });
  }
  return { digest: top.digest, platforms };
}

/** Reads one platform's image: the manifest found by `readPlatformManifests` and its config. */
export async function readPlatformImage(
  registry: AuditRegistry,
  ref: ImageReference,
  platform: string,
  entry: { digest: string; manifest: ImageManifest },
): Promise<PlatformImage> {
  const config = await readConfig(registry, ref, entry.manifest.config.digest);
  return { ref, platform, digest: entry.digest, manifest: entry.manifest, config };
}

/** Reads and parses an image config blob (a few KB). */
export async function readConfig(
  registry: AuditRegistry,
  ref: ImageReference,
  digest: string,
): Promise<ImageConfig> {
  const blob = await registry.getBlob(ref.registry, ref.repository, digest);
  const text = await new Response(blob.stream).text();
  try {
    return JSON.parse(text) as ImageConfig;
  } catch (cause) {
    throw new Error(`the config ${digest} of ${formatReference(ref)} is not JSON`, { cause });
  }
}

/** The history entries that made layers (`empty_layer` ones did not), in layer order. */
export function layerHistory(config: ImageConfig): (string | undefined)[] {
  return (config.history ?? [])
    .filter((entry) => !entry.empty_layer)
    .map((entry) => entry.created_by);
}

/** `RUN /bin/sh -c set -eux; apt-get ... # buildkit` → `RUN set -eux; apt-get ...`, shortened. */
export function shortenCreatedBy(createdBy: string | undefined, width = 80): string {
  if (createdBy === undefined) return "(no history entry)";
  const text = createdBy
    .replace(/ # buildkit$/, "")
    .replace(/^\/bin\/sh -c #\(nop\)\s*/, "")
    .replace(/^RUN \/bin\/sh -c /, "RUN ")
    .replace(/^\/bin\/sh -c /, "RUN ")
    .replace(/\s+/g, " ")
    .trim();
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

function configPlatform(
  config: ImageConfig & { os?: string; architecture?: string; variant?: string },
) {
  return [config.os ?? "linux", config.architecture ?? "amd64", config.variant]
    .filter(Boolean)
    .join("/");
}
