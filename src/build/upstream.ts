import { formatReference, parseReference } from "../reference/parse.ts";
import type { ImageReference } from "../reference/types.ts";

/** The registry operations the build needs; RegistryClient has them. */
export interface DigestResolver {
  resolveDigest(ref: ImageReference): Promise<{ digest: string; mediaType: string }>;
}

/**
 * Resolves each upstream reference to the digest its tag names now. Docker Hub references are
 * asked of the given mirrors first, in order, the way dockerd pulls them when it has
 * `registry-mirrors`. The engines build with `--pull`, so the base is what the registry names
 * now, not an older image the engine keeps under the same tag; the build still names its bases
 * by tag (FROM as written), so if a tag moves in the seconds between this lookup and the
 * engine's pull, the digest recorded is not the one built on. BuildKit's named contexts would
 * pin it, but Docker 20.10's built-in Dockerfile frontend lacks them. Resolves to the digests
 * found and the failures by reference.
 */
export async function resolveUpstreams(
  references: string[],
  registry: DigestResolver,
  mirrors: string[] = [],
): Promise<{ digests: Record<string, string>; failures: Record<string, unknown> }> {
  const digests: Record<string, string> = {};
  const failures: Record<string, unknown> = {};
  for (const text of references) {
    try {
      digests[text] = await resolveOne(parseReference(text), registry, mirrors);
    } catch (error) {
      failures[text] = error;
    }
  }
  return { digests, failures };
}

async function resolveOne(
  ref: ImageReference,
  registry: DigestResolver,
  mirrors: string[],
): Promise<string> {
  if (ref.digest) return ref.digest;
  const sources = ref.registry === "docker.io" ? [...mirrors, ref.registry] : [ref.registry];
  const attempts: { source: string; error: unknown }[] = [];
  for (const source of sources) {
    try {
      const resolved = await registry.resolveDigest({ ...ref, registry: source });
      return resolved.digest;
    } catch (error) {
      attempts.push({ source, error });
    }
  }
  throw new UpstreamUnavailableError(formatReference(ref), attempts);
}

/** No registry asked (mirrors, then the upstream's own) could resolve an upstream's tag. */
export class UpstreamUnavailableError extends Error {
  readonly attempts: { source: string; error: unknown }[];

  constructor(reference: string, attempts: { source: string; error: unknown }[]) {
    const tried = attempts.map(({ source, error }) => `${source}: ${shortReason(error)}`);
    super(`no registry reachable from here serves ${reference} (${tried.join("; ")})`, {
      cause: attempts.at(-1)?.error,
    });
    this.name = "UpstreamUnavailableError";
    this.attempts = attempts;
  }
}

/** The registry's status for an HTTP answer; the innermost cause for a network failure. */
function shortReason(error: unknown): string {
  const status = (error as { status?: number }).status;
  if (typeof status === "number") return status === 404 ? "not found (404)" : `HTTP ${status}`;
  let inner: unknown = error;
  while (inner instanceof Error && inner.cause instanceof Error) inner = inner.cause;
  return inner instanceof Error ? inner.message : String(inner);
}

/**
 * The registry mirrors for Docker Hub: `SOLERA_REGISTRY_MIRRORS` (comma-separated hosts) when
 * set, else the mirrors the engine reported when it was found. Hosts without scheme.
 */
export function registryMirrors(engineMirrors: string[], env = process.env): string[] {
  if (env.SOLERA_REGISTRY_MIRRORS === undefined) return engineMirrors;
  return env.SOLERA_REGISTRY_MIRRORS.split(",")
    .map((host) => host.trim())
    .filter(Boolean);
}
