import { finalBase } from "../build/plan.ts";
import {
  type DigestResolver,
  resolveUpstreams,
  UpstreamUnavailableError,
} from "../build/upstream.ts";
import type { CatalogImage } from "../catalog/types.ts";
import { ExitCode, UserError } from "../errors.ts";
import { formatReference, parseReference } from "../reference/parse.ts";
import type { ImageReference } from "../reference/types.ts";
import type { Manifest } from "../registry/client.ts";
import type { AuditRegistry } from "./image-source.ts";

const BASE_NAME = "org.opencontainers.image.base.name";
const BASE_DIGEST = "org.opencontainers.image.base.digest";

/** Where the upstream of an image was found. */
export interface UpstreamLocation {
  /** The upstream as named (`docker.io/library/debian:bookworm-slim`). */
  reference: string;
  /** The digest the build used (index or manifest). */
  digest: string;
  /** The reference pinned by digest at the registry that served it (a mirror, or its own). */
  ref: ImageReference;
  /** The manifest that digest names. */
  manifest: Manifest;
}

/**
 * Finds the final stage's upstream of a built image: the base the build recorded in the OCI
 * labels `base.name` and `base.digest` (the exact upstream it built on, even when the tag has
 * moved since), else the Dockerfile's final FROM resolved now. Docker Hub upstreams are read
 * through the mirrors first, the way dockerd pulled them for the build.
 */
export async function findUpstream(
  image: CatalogImage,
  labels: Record<string, string>,
  registry: AuditRegistry & DigestResolver,
  mirrors: string[],
): Promise<UpstreamLocation> {
  const reference = labels[BASE_NAME] ?? finalBase(image.dockerfile.stages);
  if (reference === undefined) {
    throw new UserError(`${image.name} has no upstream image to audit against (FROM scratch)`, {
      hint: "the audit compares an image with the official upstream it extends; an image on scratch has none",
    });
  }
  const ref = parseReference(reference);
  const digest = labels[BASE_DIGEST] ?? (await resolveDigest(reference, registry, mirrors));

  const sources = ref.registry === "docker.io" ? [...mirrors, ref.registry] : [ref.registry];
  const attempts: { source: string; error: unknown }[] = [];
  for (const source of sources) {
    const pinned = { ...ref, registry: source, tag: undefined, digest };
    try {
      const manifest = await registry.getManifest(pinned);
      return { reference: formatReference(ref), digest, ref: pinned, manifest };
    } catch (error) {
      attempts.push({ source, error });
    }
  }
  throw unavailable(new UpstreamUnavailableError(`${formatReference(ref)}@${digest}`, attempts));
}

async function resolveDigest(
  reference: string,
  registry: DigestResolver,
  mirrors: string[],
): Promise<string> {
  const { digests, failures } = await resolveUpstreams([reference], registry, mirrors);
  const digest = digests[reference];
  if (digest === undefined) throw unavailable(failures[reference]);
  return digest;
}

function unavailable(cause: unknown): UserError {
  return new UserError("the upstream cannot be read from any registry reachable from here", {
    exitCode: ExitCode.environment,
    hint: "start the registry mirror (SOLERA_REGISTRY_MIRRORS or dockerd's registry-mirrors) or make the upstream's registry reachable",
    cause,
  });
}
