import type { AuditRegistry } from "../audit/image-source.ts";
import { readPlatformManifests } from "../audit/image-source.ts";
import { platformSuffix } from "../build/engines/engine.ts";
import { checkEmulation } from "../build/qemu.ts";
import { findImages } from "../catalog/find.ts";
import { loadCatalog } from "../catalog/load.ts";
import { selectPlatforms } from "../catalog/platforms.ts";
import type { SmokeTest } from "../catalog/schema.ts";
import type { CatalogImage } from "../catalog/types.ts";
import { ExitCode, UserError } from "../errors.ts";
import { formatReference, parseReference } from "../reference/parse.ts";
import type { ImageReference } from "../reference/types.ts";
import { RegistryClient } from "../registry/client.ts";
import { RegistryError } from "../registry/transport/errors.ts";
import {
  type DockerClient,
  findDockerClient,
  localImagePlatform,
  pullImage,
  runContainer,
} from "./docker.ts";

/** How long one smoke test may run by default; emulated platforms start slowly. */
export const SMOKE_TIMEOUT_MS = 120_000;

/** What `solera smoke` asks for. */
export interface SmokeRunOptions {
  catalogDir: string;
  /** Images to test; empty means every image of the catalog. */
  names: string[];
  /** `<host>[:port]/<namespace>` the images were pushed to; the catalog's registry by default. */
  registry?: string;
  platforms?: string[];
  timeoutMs?: number;
  /** Report tests of images that are neither pushed nor local as skipped instead of failing. */
  skipUnavailable?: boolean;
  client?: AuditRegistry;
  env?: NodeJS.ProcessEnv;
}

/** The outcome of one smoke test on one platform. */
export interface SmokeResult {
  image: string;
  platform: string;
  test: string;
  status: "passed" | "failed" | "skipped";
  /** Why it failed or was skipped. */
  reason?: string;
  exitCode?: number;
  durationMs?: number;
  /** The last lines of the container's output, on failure. */
  tail?: string[];
}

/** The outcome of every selected smoke test. */
export interface SmokeReport {
  results: SmokeResult[];
  /** True when no test failed (skipped tests do not fail the run). */
  passed: boolean;
}

/**
 * Runs the smoke tests of the selected images in containers on the local engine, for each of
 * the image's platforms: the image pushed to the registry, pulled by its platform's digest, or
 * when the registry does not have it, the engine's local image of that name. A platform other
 * than the host's runs under QEMU when binfmt_misc has its emulator; otherwise its tests are
 * skipped with the reason. A test passes when it exits 0 and its stdout contains `expect`.
 */
export async function runSmokeTests(options: SmokeRunOptions): Promise<SmokeReport> {
  const catalog = await loadCatalog(options.catalogDir);
  const images = findImages(catalog, options.names);
  const docker = await findDockerClient(options.env);
  const client = options.client ?? new RegistryClient();
  const registry = options.registry ?? catalog.registry;

  const results: SmokeResult[] = [];
  const selection = selectPlatforms(images, options.platforms, options.names.length > 0);
  for (const { name, reason } of selection.skipped) {
    const image = images.find((item) => item.name === name) as CatalogImage;
    const platform = image.platforms.join(",");
    for (const test of image.smoke) {
      results.push({ image: name, platform, test: test.name, status: "skipped", reason });
    }
  }
  for (const { image, platforms } of selection.selected) {
    const ref = parseReference(`${registry}/${image.name}:${image.version}`);
    const pushed = await pushedDigests(client, ref);
    for (const platform of platforms) {
      const run = {
        docker,
        image,
        platform,
        timeoutMs: options.timeoutMs ?? SMOKE_TIMEOUT_MS,
        skipUnavailable: options.skipUnavailable === true,
      };
      results.push(...(await smokePlatform(run, ref, pushed)));
    }
  }
  return { results, passed: results.every((result) => result.status !== "failed") };
}

interface PlatformRun {
  docker: DockerClient;
  image: CatalogImage;
  platform: string;
  timeoutMs: number;
  skipUnavailable: boolean;
}

async function smokePlatform(
  run: PlatformRun,
  ref: ImageReference,
  pushed: Map<string, string> | undefined,
): Promise<SmokeResult[]> {
  const { image, platform } = run;
  const skipAll = (reason: string) =>
    image.smoke.map((test) => ({
      image: image.name,
      platform,
      test: test.name,
      status: "skipped" as const,
      reason,
    }));
  if (image.smoke.length === 0) return [];
  try {
    checkEmulation(image.name, platform);
  } catch (error) {
    return skipAll(error instanceof Error ? error.message : String(error));
  }

  let target: string;
  try {
    target = await locateImage(run, ref, pushed);
  } catch (error) {
    if (run.skipUnavailable && error instanceof ImageUnavailableError)
      return skipAll(error.message);
    throw error;
  }
  const results: SmokeResult[] = [];
  for (const test of image.smoke) results.push(await runOne(run, target, test));
  return results;
}

async function runOne(run: PlatformRun, target: string, test: SmokeTest): Promise<SmokeResult> {
  const outcome = await runContainer(run.docker, target, run.platform, test.run, run.timeoutMs);
  const base = {
    image: run.image.name,
    platform: run.platform,
    test: test.name,
    exitCode: outcome.code,
    durationMs: outcome.durationMs,
  };
  if (outcome.code === undefined) {
    return {
      ...base,
      status: "failed",
      reason: `timed out after ${run.timeoutMs} ms`,
      tail: outcome.tail,
    };
  }
  if (outcome.code !== 0) {
    return { ...base, status: "failed", reason: `exited with ${outcome.code}`, tail: outcome.tail };
  }
  if (test.expect !== undefined && !outcome.stdout.includes(test.expect)) {
    const reason = `stdout does not contain ${JSON.stringify(test.expect)}`;
    return { ...base, status: "failed", reason, tail: outcome.tail };
  }
  return { ...base, status: "passed" };
}

/** Platform → manifest digest of the pushed image; undefined when the registry lacks the tag. */
async function pushedDigests(
  client: AuditRegistry,
  ref: ImageReference,
): Promise<Map<string, string> | undefined> {
  try {
    const { platforms } = await readPlatformManifests(client, ref);
    return new Map([...platforms].map(([platform, entry]) => [platform, entry.digest]));
  } catch (error) {
    // Not pushed, or the registry is not reachable: the engine may still have the image.
    if (error instanceof RegistryError && (error.status === 404 || error.status === undefined)) {
      return undefined;
    }
    throw error;
  }
}

/** The image to run: the pushed one by digest (pulled), else a local image for the platform. */
async function locateImage(
  run: PlatformRun,
  ref: ImageReference,
  pushed: Map<string, string> | undefined,
): Promise<string> {
  const digest = pushed?.get(run.platform);
  if (digest !== undefined) {
    const pinned = formatReference({ ...ref, tag: undefined, digest });
    const pulled = await pullImage(run.docker, pinned, run.platform);
    if (pulled.ok) return pinned;
    throw unavailable(`pulling ${pinned} failed: ${pulled.tail.at(-1) ?? "no output"}`, run);
  }

  // Without a push, the docker engine keeps one local tag per platform (`<version>-<arch>`),
  // or the version tag itself for a single-platform build.
  const tagged = formatReference(ref);
  for (const candidate of [`${tagged}-${platformSuffix(run.platform)}`, tagged]) {
    if ((await localImagePlatform(run.docker, candidate)) === run.platform) return candidate;
  }
  throw unavailable(
    `${tagged} is neither in its registry for ${run.platform} nor a local image`,
    run,
  );
}

/** The image to test is neither in its registry nor in the local engine. */
export class ImageUnavailableError extends UserError {
  override readonly name = "ImageUnavailableError";
}

function unavailable(message: string, run: PlatformRun): UserError {
  return new ImageUnavailableError(message, {
    exitCode: ExitCode.environment,
    hint: `build and push it first (solera build ${run.image.name} --push --registry <registry>), or pass the --registry it was pushed to`,
  });
}
