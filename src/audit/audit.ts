import { platformName } from "../build/registry-view.ts";
import type { DigestResolver } from "../build/upstream.ts";
import type { ImageClass } from "../catalog/schema.ts";
import type { CatalogImage } from "../catalog/types.ts";
import { ExitCode, UserError } from "../errors.ts";
import { formatReference, parseReference } from "../reference/parse.ts";
import type { ImageReference } from "../reference/types.ts";
import { isIndexMediaType } from "../registry/media-types.ts";
import { ImageIndexSchema, type ImageManifest, ImageManifestSchema } from "../registry/schema.ts";
import { RegistryError } from "../registry/transport/errors.ts";
import { DeltaWalker } from "./delta-walker.ts";
import { findUpstream, type UpstreamLocation } from "./find-upstream.ts";
import { largeDelta, layerDigestMismatch, notExtending, zeroDelta } from "./image-findings.ts";
import {
  type AuditRegistry,
  layerHistory,
  type PlatformImage,
  readConfig,
  readPlatformImage,
  readPlatformManifests,
  shortenCreatedBy,
} from "./image-source.ts";
import { scanLayer } from "./layer.ts";
import { TarReader } from "./tar.ts";
import type { AddedLayer, ByteSizes, ImageAudit, PlatformAudit } from "./types.ts";
import { UpstreamTree } from "./upstream-tree.ts";

const MiB = 1024 * 1024;

/**
 * Uncompressed delta above which the audit warns (AUDIT.large-delta), per class. An
 * upstream-extension adds packages, a config or one program to an official image: the shipped
 * ones add 17 MiB (iproute2) to 120 MiB (the Node.js binary and a bundle), so 160 MiB leaves
 * room for a runtime without letting a toolchain through unnoticed. A from-source image adds
 * one compiled program and its runtime libraries to a slim base; 256 MiB is several times a
 * large Rust or Go server binary with TLS libraries.
 */
export const LARGE_DELTA_BYTES: Record<ImageClass, number> = {
  "upstream-extension": 160 * MiB,
  "from-source": 256 * MiB,
};

/** How to audit an image. */
export interface AuditOptions {
  /** The registry it was pushed to, `<host>[:port]/<namespace>`. */
  registry: string;
  client: AuditRegistry & DigestResolver;
  /** Docker Hub mirrors, tried before Docker Hub for the upstream. */
  mirrors: string[];
  /** Only these platforms of the pushed image (default: all of them). */
  platforms?: string[];
  /** Overrides LARGE_DELTA_BYTES. */
  largeDeltaBytes?: Partial<Record<ImageClass, number>>;
}

/** The image's version tag is not in the registry: there is nothing to audit yet. */
export class ImageNotPushedError extends UserError {
  override readonly name = "ImageNotPushedError";
}

/**
 * Audits a pushed image against its upstream, platform by platform: the upstream's layers must
 * be an exact prefix of the image's; every added layer is streamed from the registry and each
 * path it adds, changes or deletes is classified. Errors make the image inadmissible.
 */
export async function auditImage(image: CatalogImage, options: AuditOptions): Promise<ImageAudit> {
  const ref = parseReference(`${options.registry}/${image.name}:${image.version}`);
  const pushed = await readPushed(ref);
  const wanted = [...pushed.platforms.keys()].filter(
    (platform) => !options.platforms?.length || options.platforms.includes(platform),
  );
  if (wanted.length === 0) {
    throw new UserError(
      `${formatReference(ref)} has none of the platforms asked for (${options.platforms?.join(", ")}); it has ${[...pushed.platforms.keys()].join(", ")}`,
      { hint: "pass one of the image's platforms to --platform, or leave it out" },
    );
  }

  const platforms: PlatformAudit[] = [];
  let upstream: UpstreamLocation | undefined;
  for (const platform of wanted) {
    const entry = pushed.platforms.get(platform) as { digest: string; manifest: ImageManifest };
    const target = await readPlatformImage(options.client, ref, platform, entry);
    upstream ??= await findUpstream(image, labelsOf(target), options.client, options.mirrors);
    platforms.push(await auditPlatform(image, target, upstream, options));
  }

  const location = upstream as UpstreamLocation;
  return {
    name: image.name,
    reference: formatReference(ref),
    digest: pushed.digest,
    upstream: {
      reference: location.reference,
      digest: location.digest,
      source: location.ref.registry,
    },
    platforms,
    admissible: platforms.every((p) => p.findings.every((f) => f.severity !== "error")),
  };

  async function readPushed(at: ImageReference) {
    try {
      return await readPlatformManifests(options.client, at);
    } catch (error) {
      if (!(error instanceof RegistryError) || error.status !== 404) throw error;
      throw new ImageNotPushedError(`${formatReference(at)} is not in the registry`, {
        exitCode: ExitCode.environment,
        hint: `push it first (solera build ${image.name} --push --registry ${options.registry}), or pass the --registry it was pushed to`,
        cause: error,
      });
    }
  }
}

async function auditPlatform(
  image: CatalogImage,
  target: PlatformImage,
  upstream: UpstreamLocation,
  options: AuditOptions,
): Promise<PlatformAudit> {
  const base = await upstreamFor(upstream, target.platform, options.client);
  const baseIds = base.config.rootfs?.diff_ids ?? [];
  const ids = target.config.rootfs?.diff_ids ?? [];
  const extending = baseIds.every((id, i) => ids[i] === id) && baseIds.length <= ids.length;

  const tree = new UpstreamTree();
  const upstreamSize = await readUpstreamLayers(base, tree, options.client);
  const walker = new DeltaWalker(tree);
  const layers: AddedLayer[] = [];

  if (!extending) {
    walker.addFinding(notExtending(upstream, target.platform));
  } else {
    const history = layerHistory(target.config);
    for (let index = baseIds.length; index < target.manifest.layers.length; index++) {
      layers.push(
        await auditLayer(target, index, history[index], ids[index], walker, options.client),
      );
    }
    if (layers.length === 0) walker.addFinding(zeroDelta(upstream));
  }

  const delta = sumSizes(layers.map((layer) => layer.size));
  const limit = { ...LARGE_DELTA_BYTES, ...options.largeDeltaBytes }[image.class];
  if (delta.uncompressed > limit) walker.addFinding(largeDelta(image.class, delta, limit));

  return {
    platform: target.platform,
    digest: target.digest,
    upstreamDigest: base.digest,
    upstreamLayers: baseIds.length,
    upstreamSize,
    layers,
    delta,
    ratio: {
      compressed: ratio(delta.compressed, upstreamSize.compressed),
      uncompressed: ratio(delta.uncompressed, upstreamSize.uncompressed),
    },
    addedByTopDir: walker.addedByTopDir,
    findings: walker.findings(),
  };
}

/** The upstream's image for one platform. */
async function upstreamFor(
  upstream: UpstreamLocation,
  platform: string,
  registry: AuditRegistry,
): Promise<PlatformImage> {
  let digest = upstream.digest;
  let json = upstream.manifest.json;
  if (isIndexMediaType(upstream.manifest.mediaType)) {
    const index = ImageIndexSchema.parse(json);
    const entry = index.manifests.find((m) => m.platform && platformName(m.platform) === platform);
    if (!entry) {
      throw new UserError(`the upstream ${upstream.reference} has no ${platform} image`, {
        exitCode: ExitCode.failed,
        hint: "build the image only for the platforms its upstream publishes",
      });
    }
    digest = entry.digest;
    json = (await registry.getManifest({ ...upstream.ref, digest })).json;
  }
  const manifest = ImageManifestSchema.parse(json);
  const config = await readConfig(registry, upstream.ref, manifest.config.digest);
  return { ref: upstream.ref, platform, digest, manifest, config };
}

/** Streams the upstream's layers into the tree; returns their total size. */
async function readUpstreamLayers(
  base: PlatformImage,
  tree: UpstreamTree,
  registry: AuditRegistry,
): Promise<ByteSizes> {
  const sizes: ByteSizes[] = [];
  for (const layer of base.manifest.layers) {
    const blob = await registry.getBlob(base.ref.registry, base.ref.repository, layer.digest);
    const reader = new TarReader({
      onEntry: (entry, content) => tree.apply(entry, content),
      capture: (entry) => tree.wants(entry),
    });
    sizes.push(await scanLayer(blob.stream, layer.mediaType, reader));
  }
  return sumSizes(sizes);
}

/** Streams one added layer through the walker; checks its diff_id against the config's. */
async function auditLayer(
  target: PlatformImage,
  index: number,
  createdBy: string | undefined,
  diffId: string | undefined,
  walker: DeltaWalker,
  registry: AuditRegistry,
): Promise<AddedLayer> {
  const layer = target.manifest.layers[index] as ImageManifest["layers"][number];
  const tally = walker.startLayer(index, createdBy);
  const blob = await registry.getBlob(target.ref.registry, target.ref.repository, layer.digest);
  const reader = new TarReader({ onEntry: (entry) => walker.onEntry(entry) });
  const scan = await scanLayer(blob.stream, layer.mediaType, reader);
  if (diffId !== undefined && scan.diffId !== diffId) {
    walker.addFinding(layerDigestMismatch(index, createdBy, diffId, scan.diffId));
  }
  return {
    index,
    digest: layer.digest,
    diffId: scan.diffId,
    createdBy: shortenCreatedBy(createdBy),
    size: { compressed: scan.compressed, uncompressed: scan.uncompressed },
    ...tally,
  };
}

function labelsOf(image: PlatformImage): Record<string, string> {
  return image.config.config?.Labels ?? {};
}

function sumSizes(sizes: ByteSizes[]): ByteSizes {
  return sizes.reduce(
    (total, size) => ({
      compressed: total.compressed + size.compressed,
      uncompressed: total.uncompressed + size.uncompressed,
    }),
    { compressed: 0, uncompressed: 0 },
  );
}

function ratio(part: number, whole: number): number {
  return whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : 0;
}
