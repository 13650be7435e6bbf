import { join } from "node:path";
import { loadCatalog } from "../catalog/load.ts";
import type { Catalog } from "../catalog/types.ts";
import { describeError, UserError } from "../errors.ts";
import { runGates } from "../gates/run.ts";
import { parseReference } from "../reference/parse.ts";
import { RegistryClient } from "../registry/client.ts";
import { checkRunArguments } from "./arguments.ts";
import { detectEngine, type EngineChoice } from "./engines/detect.ts";
import type { Engine } from "./engines/engine.ts";
import { type GitFacts, readGitFacts } from "./git.ts";
import { updateLock } from "./lock.ts";
import type { ImageOutcome, RunSummary } from "./outcome.ts";
import { listUpstreams, planBuild } from "./plan.ts";
import { refusal } from "./plan-catalog.ts";
import type { LogSink } from "./process.ts";
import { publishTarget } from "./publish.ts";
import type { PushRegistry } from "./registry-view.ts";
import type { BuildSecret, LockEntry, Plan, PlanTarget } from "./types.ts";
import { registryMirrors, resolveUpstreams } from "./upstream.ts";

/** What `buildCatalog` and `pushCatalog` are told. */
export interface RunOptions {
  catalogDir: string;
  /** Images by name; all when empty. */
  names?: string[];
  registry?: string;
  platforms?: string[];
  engine?: EngineChoice;
  buildkitAddr?: string;
  /** Build: push after building. */
  push?: boolean;
  /** Move a tag that names another image. */
  force?: boolean;
  keepGoing?: boolean;
  /** Skip an image whose upstream digest cannot be resolved, instead of failing it. */
  skipUnavailable?: boolean;
  sbom?: boolean;
  provenance?: boolean;
  /** Build secrets for every target (`--secret`); buildx and buildctl need them on push too. */
  secrets?: BuildSecret[];
  /** Lock file; default `<catalog>/solera.lock.json`. */
  lockPath?: string;
  /** Engine output (build logs). */
  log?: LogSink;
  /** One line per image as it starts and ends. */
  progress?: (line: string) => void;
  /** The registry client; a new RegistryClient by default (benchmarks pass one to count requests). */
  registryClient?: PushRegistry;
  env?: NodeJS.ProcessEnv;
}

/** Everything a run needs once the catalog is loaded and the engine found. */
interface RunContext {
  options: RunOptions;
  catalog: Catalog;
  engine: Engine;
  registry: PushRegistry;
  git: GitFacts;
  outcomes: ImageOutcome[];
  entries: Record<string, LockEntry>;
}

/**
 * The main job: load the catalog, run the gates (refused images are reported, not built),
 * resolve upstream digests, plan, build each image with the engine, and with `push` publish it
 * and write the lock. Resolves to the summary; the lock is written only when every image succeeded.
 */
export async function buildCatalog(options: RunOptions): Promise<RunSummary> {
  const context = await prepare(options);
  const admitted = context.catalog.images.filter((image) =>
    admissibleNames(context).includes(image.name),
  );
  const digests: Record<string, string> = {};
  const buildable: string[] = [];

  const mirrors = registryMirrors(context.engine.mirrors, options.env);
  for (const image of admitted) {
    const upstreams = listUpstreams(image.dockerfile.stages);
    const resolved = await resolveUpstreams(upstreams, context.registry, mirrors);
    const failed = Object.entries(resolved.failures)[0];
    Object.assign(digests, resolved.digests);
    if (!failed) {
      buildable.push(image.name);
      continue;
    }
    const why = failed[1] instanceof Error ? failed[1].message : describeError(failed[1]);
    const reason = `the upstream ${failed[0]} cannot be resolved: ${why}`;
    const status = options.skipUnavailable ? "skipped" : "failed";
    const error = new Error(`resolving the upstream digest of ${failed[0]}`, { cause: failed[1] });
    context.outcomes.push({
      name: image.name,
      platforms: [],
      status,
      reason,
      durationMs: 0,
      error,
    });
    if (status === "failed" && !options.keepGoing) return finish(context);
  }

  const plan = makePlan(context, buildable, digests);
  await runTargets(context, plan, async (target) => {
    await context.engine.build(target, options);
    return options.push ? publish(context, target) : { status: "built" };
  });
  return finish(context);
}

/**
 * Publishes what was built: for each admitted image, push its built tags, read the manifests
 * back from the registry, and write the lock when every image succeeded.
 */
export async function pushCatalog(options: RunOptions): Promise<RunSummary> {
  const context = await prepare({ ...options, push: true });
  const plan = makePlan(context, admissibleNames(context), {});
  await runTargets(context, plan, (target) => publish(context, target));
  return finish(context);
}

async function prepare(options: RunOptions): Promise<RunContext> {
  // The engine probe and the git reads are child processes: started before the catalog loads
  // (which keeps this thread busy), they cost no time of their own. Their errors surface where
  // they are awaited, so a catalog that does not load is still what gets reported.
  const engineFound = detectEngine({
    engine: options.engine,
    buildkitAddr: options.buildkitAddr,
    env: options.env,
  });
  engineFound.catch(() => undefined);
  const gitFound = readGitFacts(options.catalogDir, options.env);
  warmFetch();

  const catalog = await loadCatalog(options.catalogDir);
  const lock = options.lockPath
    ? { path: options.lockPath, flag: "--lock" }
    : { path: join(catalog.dir, "solera.lock.json"), flag: "the lock" };
  // Checked before the engine is awaited, so bad arguments fail before any work.
  await checkRunArguments(catalog, options, lock);
  const engine = await engineFound;
  const git = await gitFound;
  const registry = options.registryClient ?? new RegistryClient();
  const context: RunContext = {
    options,
    catalog,
    engine,
    registry,
    git,
    outcomes: [],
    entries: {},
  };

  const report = runGates(catalog, options.names?.length ? options.names : undefined);
  for (const image of report.images.filter((item) => !item.admissible)) {
    const reason = refusal(image.findings);
    context.outcomes.push({
      name: image.name,
      platforms: [],
      status: "refused",
      reason,
      durationMs: 0,
    });
  }

  if (options.push) {
    const host = parseReference(`${options.registry ?? catalog.registry}/probe`).registry;
    await registry.ping(host).catch((error: unknown) => {
      throw new UserError(`the registry ${host} cannot be reached: ${describeError(error)}`, {
        exitCode: findUserErrorCode(error),
        hint: "start the registry or pass --registry <host>/<namespace> for one that runs",
        cause: error,
      });
    });
  }
  return context;
}

/**
 * Node loads its fetch implementation on the first request, which takes about 40 ms of this
 * thread; a request that needs no network starts that load while the engine probe runs.
 */
function warmFetch(): void {
  fetch("data:,").catch(() => undefined);
}

function findUserErrorCode(error: unknown): 3 | 4 {
  const status = (error as { status?: number }).status;
  return status === 401 || status === 403 ? 4 : 3;
}

function admissibleNames(context: RunContext): string[] {
  const refused = new Set(context.outcomes.map((outcome) => outcome.name));
  const wanted = context.options.names?.length
    ? context.options.names
    : context.catalog.images.map((i) => i.name);
  return wanted.filter((name) => !refused.has(name));
}

function makePlan(context: RunContext, names: string[], digests: Record<string, string>): Plan {
  const { options, catalog } = context;
  const plan = planBuild(catalog, {
    names,
    registry: options.registry,
    platforms: options.platforms,
    upstreamDigests: digests,
    secrets: options.secrets,
    // Read once, in prepare(); "" leaves the source label out rather than asking git again.
    revision: context.git.revision ?? "unknown",
    created: context.git.created,
    source: context.git.source ?? "",
  });
  for (const skipped of plan.skipped) {
    context.outcomes.push({
      name: skipped.name,
      platforms: [],
      status: "skipped",
      reason: skipped.reason,
      durationMs: 0,
    });
  }
  // planBuild treats an empty name list as "all"; nothing admitted means nothing to build.
  if (names.length === 0) plan.targets = [];
  return plan;
}

type Step = (
  target: PlanTarget,
) => Promise<{ status: "built" | "pushed" | "unchanged"; digest?: string }>;

async function runTargets(context: RunContext, plan: Plan, step: Step): Promise<void> {
  const { options } = context;
  for (const target of plan.targets) {
    const started = performance.now();
    options.progress?.(
      `${target.name} ${target.version} (${target.platforms.join(", ")}): ${options.push ? "building and pushing" : "building"}…`,
    );
    try {
      const result = await step(target);
      const durationMs = performance.now() - started;
      context.outcomes.push({
        name: target.name,
        platforms: target.platforms,
        durationMs,
        ...result,
      });
      options.progress?.(
        `${target.name}: ${result.status}${result.digest ? ` ${result.digest}` : ""}`,
      );
    } catch (error) {
      const durationMs = performance.now() - started;
      const reason = describeError(error).split("\n")[0];
      context.outcomes.push({
        name: target.name,
        platforms: target.platforms,
        status: "failed",
        durationMs,
        reason,
        error,
      });
      options.progress?.(`${target.name}: failed`);
      if (!options.keepGoing) return;
    }
  }
}

async function publish(context: RunContext, target: PlanTarget) {
  const published = await publishTarget(target, context.engine, context.registry, context.options);
  const registry = context.options.registry ?? context.catalog.registry;
  context.entries[target.name] = {
    ...published.entry,
    registry,
    pushedAt: new Date().toISOString(),
  };
  return { status: published.status, digest: published.entry.digest };
}

async function finish(context: RunContext): Promise<RunSummary> {
  const { options } = context;
  const ok = context.outcomes.every(
    (outcome) => outcome.status !== "failed" && outcome.status !== "refused",
  );
  const summary: RunSummary = {
    engine: context.engine.description,
    registry: options.registry ?? context.catalog.registry,
    outcomes: context.outcomes,
    ok,
  };
  if (options.push && ok && Object.keys(context.entries).length > 0) {
    const path = options.lockPath ?? join(context.catalog.dir, "solera.lock.json");
    const written = await updateLock(path, context.entries);
    if (written) summary.lock = path;
    else summary.lockUnchanged = path;
  }
  return summary;
}
