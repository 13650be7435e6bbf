import { join } from "node:path";
import { findImages } from "../catalog/find.ts";
import type { Platform } from "../catalog/schema.ts";
import type { Catalog, CatalogImage } from "../catalog/types.ts";
import type { Stage } from "../dockerfile/types.ts";
import { UserError } from "../errors.ts";
import { formatReference, parseReference } from "../reference/parse.ts";
import { readCreated, readRevision, readSourceUrl } from "./git.ts";
import type { BuildSecret, Plan, PlanTarget, SkippedImage } from "./types.ts";

/**
 * solera's own label namespace: the reverse DNS name of the domain the catalog is published
 * under (librecloud.online), as the OCI annotation rules ask for keys outside
 * `org.opencontainers`. Labels: `.class` (upstream-extension or from-source), `.delta` (what the
 * image adds, `; `-separated), `.upstreams` (each FROM image with the digest used, `ref@digest`,
 * comma-separated; read back by `solera push` for the lock).
 */
export const LABEL_NAMESPACE = "online.librecloud.solera";

const OCI = "org.opencontainers.image";

/** What `planBuild` may be told; everything is optional. */
export interface PlanOptions {
  /** Only these images (by name); all when absent or empty. */
  names?: string[];
  /** `<host>[:port]/<namespace>` to tag for instead of the catalog's registry. */
  registry?: string;
  /** Only these platforms; an image that has none of them is left out with a reason. */
  platforms?: string[];
  /** Commit for the `revision` label; read from git when absent. */
  revision?: string;
  /** RFC 3339 time for the `created` label; from SOURCE_DATE_EPOCH or git when absent. */
  created?: string;
  /** URL for the `source` label; from git's origin when absent. */
  source?: string;
  /** Resolved digests of upstream images, by normalised reference. */
  upstreamDigests?: Record<string, string>;
  /** Build secrets offered to every target (parsed `--secret` values). */
  secrets?: BuildSecret[];
}

/**
 * Turns the catalog into a build plan: one target per image with its pinned tag, platforms,
 * context, Dockerfile, OCI labels and build arguments. Throws a UserError for an unknown image
 * name or a malformed registry.
 */
export function planBuild(catalog: Catalog, options: PlanOptions = {}): Plan {
  const registry = checkRegistry(options.registry ?? catalog.registry);
  const images = findImages(catalog, options.names);
  const revision = options.revision ?? readRevision(catalog.dir) ?? "unknown";
  const created = options.created ?? readCreated(catalog.dir);
  const source = options.source ?? readSourceUrl(catalog.dir);
  const targets: PlanTarget[] = [];
  const skipped: SkippedImage[] = [];

  for (const image of images) {
    const platforms = choosePlatforms(image.platforms, options.platforms);
    if (platforms.length === 0) {
      skipped.push({
        name: image.name,
        reason: `builds only ${image.platforms.join(", ")}; none of the platforms asked (${options.platforms?.join(", ")})`,
      });
      continue;
    }
    const context = {
      registry,
      revision,
      created,
      source,
      digests: options.upstreamDigests ?? {},
      secrets: options.secrets ?? [],
    };
    targets.push(planTarget(image, platforms, context));
  }
  return { registry, revision, created, targets, skipped };
}

interface TargetContext {
  registry: string;
  revision: string;
  created: string;
  source?: string;
  digests: Record<string, string>;
  secrets: BuildSecret[];
}

function planTarget(image: CatalogImage, platforms: Platform[], ctx: TargetContext): PlanTarget {
  const repository = `${ctx.registry}/${image.name}`;
  const upstreams = listUpstreams(image.dockerfile.stages);
  const upstreamDigests = Object.fromEntries(
    upstreams.flatMap((ref) => (ctx.digests[ref] ? [[ref, ctx.digests[ref]]] : [])),
  );
  const labels = planLabels(image, ctx, upstreamDigests);

  return {
    name: image.name,
    version: image.version,
    repository,
    tags: [`${repository}:${image.version}`],
    platforms,
    context: image.context ? join(image.dir, image.context) : image.dir,
    dockerfile: image.dockerfilePath,
    labels,
    args: planArgs(image),
    upstreams,
    upstreamDigests,
    secrets: ctx.secrets.map((secret) => ({ ...secret })),
  };
}

function planLabels(
  image: CatalogImage,
  ctx: TargetContext,
  digests: Record<string, string>,
): Record<string, string> {
  const labels: Record<string, string> = {
    [`${OCI}.title`]: image.name,
    [`${OCI}.version`]: image.version,
    [`${OCI}.revision`]: ctx.revision,
    [`${OCI}.created`]: ctx.created,
    [`${OCI}.description`]: image.description.trim(),
  };
  if (ctx.source) labels[`${OCI}.source`] = ctx.source;

  const base = finalBase(image.dockerfile.stages);
  if (base) {
    labels[`${OCI}.base.name`] = base;
    if (digests[base]) labels[`${OCI}.base.digest`] = digests[base];
  }

  labels[`${LABEL_NAMESPACE}.class`] = image.class;
  labels[`${LABEL_NAMESPACE}.delta`] = image.delta.adds.join("; ");
  const used = Object.entries(digests).map(([ref, digest]) => `${ref}@${digest}`);
  if (used.length > 0) labels[`${LABEL_NAMESPACE}.upstreams`] = used.join(",");
  return labels;
}

/**
 * Build arguments taken from the catalog, passed only when the Dockerfile declares them, so
 * the source of a from-source image is stated once (image.yaml) and not repeated in the
 * Dockerfile: `SOURCE_REPOSITORY` and `SOURCE_TAG`.
 */
function planArgs(image: CatalogImage): Record<string, string> {
  const offered: Record<string, string | undefined> = {
    SOURCE_REPOSITORY: image.source?.repository,
    SOURCE_TAG: image.source?.tag,
  };
  const declared = declaredArgs(image);
  const args: Record<string, string> = {};
  for (const [name, value] of Object.entries(offered)) {
    if (value !== undefined && declared.has(name)) args[name] = value;
  }
  return args;
}

function declaredArgs(image: CatalogImage): Set<string> {
  const names = new Set(Object.keys(image.dockerfile.globalArgs));
  for (const stage of image.dockerfile.stages) {
    for (const instruction of stage.instructions) {
      if (instruction.keyword !== "ARG") continue;
      for (const word of instruction.argv) names.add(word.split("=")[0] ?? word);
    }
  }
  return names;
}

/** The images named by FROM lines, normalised, without stage names, `scratch` or unresolved ARGs. */
export function listUpstreams(stages: Stage[]): string[] {
  const refs = new Set<string>();
  for (const stage of stages) {
    const ref = stageImage(stage);
    if (ref) refs.add(ref);
  }
  return [...refs];
}

/** The image the final stage is built on, following `FROM <stage>` back to an image. */
export function finalBase(stages: Stage[]): string | undefined {
  let stage = stages.at(-1);
  for (let hops = 0; stage?.from.stage !== undefined && hops < stages.length; hops++) {
    const name = stage.from.stage.toLowerCase();
    stage = stages.find((candidate) => candidate.name === name);
  }
  return stage ? stageImage(stage) : undefined;
}

function stageImage(stage: Stage): string | undefined {
  const resolved = stage.from.resolved;
  if (stage.from.stage !== undefined || !resolved || resolved === "scratch") return undefined;
  return formatReference(parseReference(resolved));
}

function choosePlatforms(own: Platform[], asked: string[] | undefined): Platform[] {
  if (!asked || asked.length === 0) return [...own];
  return own.filter((platform) => asked.includes(platform));
}

const REGISTRY_HINT =
  "pass --registry like registry.example.com/solera, 127.0.0.1:5000/solera or localhost:5000/solera";
const NAMESPACE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

/**
 * Checks a push target `<host>[:port]/<namespace>` the way Docker reads a reference's first
 * component: it names a registry only with a dot, a port, or as `localhost`; otherwise Docker
 * takes it for a Docker Hub namespace, which is never what `--registry` means. Returns it
 * without trailing slashes; a UserError (exit 2) otherwise.
 */
export function checkRegistry(registry: string): string {
  const trimmed = registry.replace(/\/+$/, "");
  const [hostPort = "", ...path] = trimmed.split("/");
  const match = /^([a-z0-9.-]+|\[[0-9a-f:]+\])(?::([0-9]+))?$/i.exec(hostPort);
  const fail = (problem: string): never => {
    throw new UserError(`registry "${registry}" ${problem}; expected <host>[:port]/<namespace>`, {
      hint: REGISTRY_HINT,
    });
  };
  if (!match) return fail(`has no valid host`);
  const [, host = "", port] = match;
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535))
    fail(`has port ${port}, outside 1-65535`);
  if (!host.includes(".") && !host.startsWith("[") && port === undefined && host !== "localhost")
    fail(`names no registry host (a host needs a dot, a port, or to be localhost)`);
  if (path.length === 0) fail("has no namespace");
  const badPart = path.find((part) => !NAMESPACE.test(part));
  if (badPart !== undefined) fail(`has an invalid namespace component "${badPart}"`);
  return trimmed;
}
